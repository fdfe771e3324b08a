// newsmap's basemap: country polygons, written into the page or fetched from the static
// folder; no tile server. Needs Leaflet (L).

(function () {
if (globalThis.newsmapCountryOutlines) { return; }

function newsmapCountryOutlines(options, data, url) {
    var layer = L.geoJSON(null, options);
    if (data) {
        layer.addData(data);
    } else {
        fetch(url).then(function (response) { return response.json(); })
            .then(function (outlines) { layer.addData(outlines); })
            .catch(function (error) { console.warn("newsmap: no country outlines", error); });
    }
    return layer;
}

globalThis.newsmapCountryOutlines = newsmapCountryOutlines;
})();
