// The meeting form asks for less. Choosing the forum proposes its next sequence (unless
// the officer typed one). The venue time zone follows the country (forums/zones.py says
// which zones each country has): the list offers only its zones, and for a country with
// a single zone the list gives way to that zone's name, chosen. Without JavaScript the server
// does the same on saving: an empty sequence becomes the forum's next, the zone of a
// one-zone country is filled in, and another country's zone is refused.
"use strict";

(function () {
  function onChange(select, handler) {
    select.addEventListener("change", handler);
    // The forum is an autocomplete (select2), which announces changes through jQuery.
    if (window.django && window.django.jQuery) {
      window.django.jQuery(select).on("change", handler);
    }
  }

  function proposeSequence(input) {
    const nextByForum = JSON.parse(input.dataset.nextSequences);
    const forum = input.form && input.form.elements.namedItem("forum");
    if (!forum) {
      return;
    }
    let proposed = input.value;
    onChange(forum, function () {
      if (!forum.value || (input.value !== "" && input.value !== proposed)) {
        return; // no forum yet, or a number the officer typed: kept
      }
      proposed = String(nextByForum[forum.value] || 1);
      input.value = proposed;
    });
  }

  function followCountry(zoneSelect) {
    const zonesByCountry = JSON.parse(zoneSelect.dataset.countryZones);
    const country = zoneSelect.form && zoneSelect.form.elements.namedItem("country");
    if (!country) {
      return;
    }
    const everyZone = Array.from(zoneSelect.options, (option) => [option.value, option.text]);
    // A country's only zone is shown as text where the list was: nothing to choose.
    const onlyZone = document.createElement("output");
    onlyZone.className = "country-only-zone";
    onlyZone.htmlFor = zoneSelect.id;
    zoneSelect.after(onlyZone);

    function narrow() {
      const zones = zonesByCountry[country.value];
      const kept = zoneSelect.value;
      const offered = zones
        ? everyZone.filter(([value]) => value === "" || zones.includes(value))
        : everyZone;
      zoneSelect.replaceChildren(
        ...offered.map(([value, text]) => new Option(text, value, false, value === kept)),
      );
      if (!offered.some(([value]) => value === kept)) {
        zoneSelect.value = "";
      }
      const onlyOne = Boolean(zones) && zones.length === 1;
      if (onlyOne) {
        zoneSelect.value = zones[0];
      }
      zoneSelect.hidden = onlyOne;
      onlyZone.hidden = !onlyOne;
      onlyZone.textContent = onlyOne ? zones[0] : "";
    }

    onChange(country, narrow);
    narrow();
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("input[data-next-sequences]").forEach(proposeSequence);
    document.querySelectorAll("select[data-country-zones]").forEach(followCountry);
  });
})();
