// The event table as the map receives it, decoded. No Leaflet and no DOM: tests run it alone.
//
// A table is {length, columns}, one column per field in the order of the settings' fields:
//   {values: [...]}            plain values;
//   {labels: [...], codes: []} repeated texts as labels, each row a code (-1 for none);
//   {files: [url...], per_file: n}   excerpts served apart, n to a file, fetched when needed.
// A stand-alone page writes plain rows instead; fromRows turns them into the same shape.

globalThis.NewsmapColumns = {
    fromRows: function (table, fields) {
        if (!Array.isArray(table)) { return table; }
        return {length: table.length, columns: fields.map(function (field, f) {
            return {values: table.map(function (row) { return row[f]; })};
        })};
    },
    // Every value of a column that is in the table itself (not of a files column).
    decoded: function (column) {
        if (!column.labels) { return column.values; }
        if (!column.decoded) {
            column.decoded = Array.from(column.codes, function (code) {
                return code < 0 ? null : column.labels[code];
            });
        }
        return column.decoded;
    },
    value: function (column, i) {
        if (!column.labels) { return column.values[i]; }
        return column.codes[i] < 0 ? null : column.labels[column.codes[i]];
    },
    // Row i's value, fetching its file once when the column was served apart.
    fetched: function (column, i, fetchJson) {
        if (!column.files) { return Promise.resolve(globalThis.NewsmapColumns.value(column, i)); }
        var file = Math.floor(i / column.per_file);
        column.fetched = column.fetched || {};
        if (!column.fetched[file]) { column.fetched[file] = fetchJson(column.files[file]); }
        return column.fetched[file].then(function (values) { return values[i % column.per_file]; });
    }
};
