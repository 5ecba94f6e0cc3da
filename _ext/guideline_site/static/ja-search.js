/*
 * Japanese search results that hold what the reader typed (_ext/guideline_site/ja_search.py).
 *
 * The index finds every page that has all the bigrams of the query; a page can
 * have them apart. Here each candidate page's text is read (as Sphinx does for
 * its summaries), compared after NFKC, lower case and with white space removed,
 * and kept only if it holds every word of the query. The summary shows the text
 * around the first hit, with the hit marked.
 */
"use strict";

// Some themes (furo) load searchtools.js after this file: install once the page is parsed,
// which is before Search.init runs the query.
document.addEventListener("DOMContentLoaded", () => {
  if (typeof Search === "undefined") return;

  const SUMMARY_BEFORE = 60;
  const SUMMARY_LENGTH = 180;
  const pages = new Map();

  const fold = (text) => text.normalize("NFKC").toLowerCase().replace(/\s+/g, "");

  /**
   * The text in the form it is compared in, and for each of its characters the raw
   * index. A base character and the marks after it (and the half-width ﾞ ﾟ) are
   * folded together, so ｸﾞ and グ compare equal.
   */
  const normalised = (raw) => {
    let text = "";
    const origin = [];
    for (const match of raw.matchAll(/\P{M}[\p{M}\uFF9E\uFF9F]*|[\s\S]/gu)) {
      for (const piece of fold(match[0])) {
        text += piece;
        origin.push(match.index);
      }
    }
    return { text, origin };
  };

  const queryWords = (query) =>
    query
      .trim()
      .split(/\s+/)
      .filter((word) => word && !word.startsWith("-"))
      .map(fold)
      .filter((word) => word.length > 0);

  // The index leaves out what sits in a "no-search" block (the view tables): so does the check,
  // or a bigram match elsewhere on the page would be confirmed by a word only the table holds.
  const searchableHtml = (html) => {
    const doc = new DOMParser().parseFromString(html, "text/html");
    doc.querySelectorAll(".no-search").forEach((element) => element.remove());
    return doc.documentElement.outerHTML;
  };

  const pageText = (url) => {
    if (!pages.has(url)) {
      pages.set(
        url,
        // stripped once per page, not once per query
        fetch(url)
          .then((response) => (response.ok ? response.text() : ""))
          .then((html) => (html ? searchableHtml(html) : "")),
      );
    }
    return pages.get(url);
  };

  const summary = (raw, start, length) => {
    const from = Math.max(start - SUMMARY_BEFORE, 0);
    const to = Math.min(from + SUMMARY_LENGTH, raw.length);
    const paragraph = document.createElement("p");
    paragraph.classList.add("context");
    paragraph.append(from > 0 ? "…" : "", raw.slice(from, start));
    const mark = document.createElement("mark");
    mark.textContent = raw.slice(start, start + length);
    paragraph.append(mark, raw.slice(start + length, to), to < raw.length ? "…" : "");
    return paragraph;
  };

  /** The first hit of the query in a page's text, or null when a word is missing. */
  const firstHit = (raw, words) => {
    const { text, origin } = normalised(raw);
    let first = null;
    for (const word of words) {
      const at = text.indexOf(word);
      if (at < 0) return null;
      if (first === null || at < first.at) first = { at, word };
    }
    if (first === null) return null;
    const start = origin[first.at];
    const endIndex = first.at + first.word.length - 1;
    const end = endIndex + 1 < origin.length ? origin[endIndex + 1] : raw.length;
    return { start, length: Math.max(end - start, 1) };
  };

  const render = (item, hit, raw) => {
    const [docName, title, anchor, descr, score, _filename, kind] = item;
    const listItem = document.createElement("li");
    listItem.classList.add(`kind-${kind}`);
    const link = listItem.appendChild(document.createElement("a"));
    link.href = docName + DOCUMENTATION_OPTIONS.LINK_SUFFIX + anchor;
    link.dataset.score = score;
    link.textContent = title;
    if (descr) listItem.append(` (${descr})`);
    if (hit) listItem.appendChild(summary(raw, hit.start, hit.length));
    Search.output.appendChild(listItem);
  };

  Search.query = async (query) => {
    const [searchQuery, searchTerms, excludedTerms, highlightTerms, objectTerms] =
      Search._parseQuery(query);
    const words = queryWords(query);
    if (typeof SPHINX_HIGHLIGHT_ENABLED !== "undefined" && SPHINX_HIGHLIGHT_ENABLED) {
      localStorage.setItem("sphinx_highlight_terms", query.trim());
    }
    // best result last, as Sphinx orders them
    const candidates = Search._performSearch(
      searchQuery, searchTerms, excludedTerms, highlightTerms, objectTerms,
    ).reverse();
    const root = document.documentElement.dataset.content_root;
    const checked = await Promise.all(
      candidates.map(async (item) => {
        const [docName, title, anchor, descr] = item;
        const html = await pageText(root + docName + DOCUMENTATION_OPTIONS.FILE_SUFFIX);
        const raw = html ? Search.htmlToText(html, anchor) : "";
        const hit = firstHit(`${title} ${descr || ""} ${raw}`, words);
        return hit ? { item, hit: firstHit(raw, words), raw } : null;
      }),
    );
    const kept = checked.filter((entry) => entry !== null);
    kept.forEach(({ item, hit, raw }) => render(item, hit, raw));
    _finishSearch(kept.length); // Sphinx's own status line (searchtools.js)
    // Sphinx's Japanese catalogue leaves the "found N pages" line empty: say it ourselves.
    Search.status.innerText = kept.length
      ? `検索が完了しました。検索語を含むページが ${kept.length} 件見つかりました。`
      : "検索語を含むページは見つかりませんでした。語の区切りや表記を変えて検索してください。";
    document.body.dataset.searchResults = String(kept.length);
  };
});
