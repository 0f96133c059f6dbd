// A working group's page: a person ticked under "Add members" joins the group as the page
// is saved, so may lead a task typed in the same submit; one not ticked may not (the
// server says so on the row). The grid's lead lists follow the ticks as they change.
"use strict";
{
    const joining = () => document.querySelectorAll('input[name="add_members"]');

    function followTicks() {
        const ticked = new Set();
        const offered = new Set();
        for (const box of joining()) {
            offered.add(box.value);
            if (box.checked) {
                ticked.add(box.value);
            }
        }
        for (const option of document.querySelectorAll(".task-grid select[name$='-lead'] option")) {
            if (offered.has(option.value)) {
                // A lead already chosen stays chosen: unticking its person is refused on
                // save with the reason, never dropped without a word.
                option.disabled = !ticked.has(option.value) && !option.selected;
            }
        }
    }

    // Tab goes from a row's last cell to the next row's title, not to the row's "Remove"
    // link: an empty row is never saved, so there is nothing a keyboard needs to remove
    // (clearing a row's title leaves it out); the link stays for the mouse.
    function keepTabInGrid() {
        for (const link of document.querySelectorAll(".task-grid .inline-deletelink")) {
            link.tabIndex = -1;
        }
    }

    function ready() {
        followTicks();
        keepTabInGrid();
    }

    document.addEventListener("DOMContentLoaded", () => {
        ready();
        for (const box of joining()) {
            box.addEventListener("change", followTicks);
        }
        // inlines.js adds the links once the page is ready, and to each row added.
        for (const grid of document.querySelectorAll(".task-grid")) {
            new MutationObserver(keepTabInGrid).observe(grid, { childList: true, subtree: true });
        }
    });
    // A row added with "Add another Task" starts from the page's first rendering.
    document.addEventListener("formset:added", ready);
}
