/*
 * needtable-csv.js -- the needtable's CSV button writes no live formula.
 *
 * A spreadsheet program runs a cell that starts with "=", "+", "-", "@", a tab or a carriage
 * return as a formula (OWASP "CSV injection"); a requirement title such as =HYPERLINK(...)
 * would become a live link in the reviewer's spreadsheet. sphinx-needs' needstable.js writes
 * the cells as they read; this wraps each table's csv() so that such a cell gets a leading
 * "'", as the site's own CSV exports do (trace_model.exports.neutralise). Loaded, deferred,
 * after needstable.js on the pages that have a needtable (guideline_site.needtable_ja).
 */
(function () {
    "use strict";

    var FORMULA_START = /^[=+\-@\t\r]/;

    /** RFC 4180 field, neutralised first. */
    function field(value) {
        var text = FORMULA_START.test(value) ? "'" + value : value;
        return /[",\r\n]/.test(text) ? '"' + text.replace(/"/g, '""') + '"' : text;
    }

    function guard(table) {
        table.csv = function () {
            return this.matrix()
                .map(function (row) { return row.map(field).join(","); })
                .join("\r\n");
        };
    }

    if (window.needstable) {
        window.needstable.initAll().forEach(guard);
    }
})();
