// The meeting form's venue time zone follows its country (forums/zones.py says which
// zones each country has). With a country chosen the list offers only its zones; with a
// single zone the row is hidden and that zone chosen. Without JavaScript the whole list
// stays, and the server fills the zone of a one-zone country and refuses another's.
"use strict";

(function () {
  function followCountry(zoneSelect) {
    const zonesByCountry = JSON.parse(zoneSelect.dataset.countryZones);
    const country = zoneSelect.form && zoneSelect.form.elements.namedItem("country");
    if (!country) {
      return;
    }
    const everyZone = Array.from(zoneSelect.options, (option) => [option.value, option.text]);
    const row = zoneSelect.closest(".form-row") || zoneSelect.parentElement;

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
      row.hidden = onlyOne;
    }

    country.addEventListener("change", narrow);
    narrow();
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("select[data-country-zones]").forEach(followCountry);
  });
})();
