// Bulk actions under «Больше» live in a dropdown that Wagtail renders outside the listing's bulk controller,
// so their links open without the chosen ids (a 404). Give them the ids and the list to return to, as the
// visible buttons get them.
document.addEventListener("click", (event) => {
    const link = event.target.closest("a[data-bulk-action-button]");
    if (!link || link.href.includes("id=")) return;
    const ids = Array.from(document.querySelectorAll("input[data-bulk-action-checkbox]:checked"))
        .map((box) => "id=" + encodeURIComponent(box.dataset.objectId));
    if (!ids.length) return;
    event.preventDefault();
    const next = "next=" + encodeURIComponent(window.location.pathname + window.location.search);
    window.location.assign(link.href.split("?")[0] + "?" + ids.concat([next]).join("&"));
}, true);

// The resource list remembers its filters: opened again from the menu (not from the list itself), it comes back
// with the filters and search it was left with. «Сбросить» or removing the filters on the list forgets them.
(function () {
    const list = "/admin/snippets/resources/resource/";
    const key = "catalog:resource-list-query";
    if (window.location.pathname !== list) return;
    let cameFromList = false;
    try {
        cameFromList = Boolean(document.referrer) && new URL(document.referrer).pathname === list;
    } catch (error) {
        cameFromList = false;
    }
    const saved = window.localStorage.getItem(key);
    if (!window.location.search && !cameFromList && saved) {
        window.location.replace(list + saved);
        return;
    }
    window.addEventListener("pagehide", () => window.localStorage.setItem(key, window.location.search));
})();
