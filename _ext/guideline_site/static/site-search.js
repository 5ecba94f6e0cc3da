/*
 * The site search (_ext/guideline_site/site_search.py), on the search page only.
 *
 * The search data is loaded as scripts (_static/search/units.js, then text-0.js, text-1.js …), which a
 * page opened from disk (file://) may load as well as one served over HTTP: no fetch, so nothing can
 * hang on a refused request. The text comes in chunks, the guideline's own pages first; the results are
 * shown after each chunk, so the first appear before the whole text has arrived.
 *
 * A query is split at white space; a place matches when it holds every word (or a variant spelling of
 * it from site_search_variants). Text and query are compared after NFKC and lower case, with white
 * space removed and circled numbers (①) kept; a word of Latin letters, digits and punctuation only
 * (4.1.1, A.15.1.2, 27001:2013, VPN) must stand as a whole word: 4.1 is not found in 14.1 or 4.1.1.
 * When nothing is found, a word one character away from a word of the site is offered (もしかして).
 */
"use strict";

(() => {
  const SUMMARY_BEFORE = 50;
  const SUMMARY_LENGTH = 160;
  const MORE_PER_PAGE = 5;
  const ASCII_WORD = /^[\x21-\x7e]+$/;

  const foldRun = (text) =>
    text.replace(/[^\u2460-\u2473]+/gu, (part) => part.normalize("NFKC")).toLowerCase();
  const fold = (text) => foldRun(text).replace(/\s+/gu, "");

  /**
   * ``raw`` folded, and for each character of the result the index in ``raw`` it comes from.
   * ``spaced``: white space runs kept as one space (to tell whole words), else removed.
   */
  const normalised = (raw, spaced) => {
    let text = "";
    const origin = [];
    for (const match of raw.matchAll(/\P{M}[\p{M}\uFF9E\uFF9F]*|[\s\S]/gu)) {
      if (/^\s+$/u.test(match[0])) {
        if (spaced && !text.endsWith(" ")) {
          text += " ";
          origin.push(match.index);
        }
        continue;
      }
      for (const piece of foldRun(match[0])) {
        text += piece;
        origin.push(match.index);
      }
    }
    return { text, origin };
  };

  // (a "-" may not be escaped in a /u pattern; outside a class it needs no escape)
  const escapeRegExp = (text) => text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");

  const state = {
    data: null,
    texts: [], // unit index -> its text (once its chunk has arrived)
    cache: new Map(), // unit index -> { hay, dense, spaced, titleLength }
    onData: null,
    onText: null,
  };

  window.GuidelineSearch = {
    load(data) {
      state.data = data;
      if (state.onData) state.onData();
    },
    text(chunk, first, texts) {
      texts.forEach((text, offset) => {
        state.texts[first + offset] = text;
        state.cache.delete(first + offset); // it was searched by its title alone until now
      });
      if (state.onText) state.onText(chunk);
    },
  };

  const root = () => document.documentElement.dataset.content_root || "";

  /** Load one script of the search data; resolves once it has run, rejects if it cannot be read. */
  const loadScript = (name) =>
    new Promise((resolve, reject) => {
      const script = document.createElement("script");
      script.src = `${root()}_static/search/${name}`;
      script.onload = () => resolve();
      script.onerror = () => reject(new Error(name));
      document.head.appendChild(script);
    });

  /** The words of a query, each with the spellings it is searched by (itself and its variants). */
  const queryWords = (query, variants) =>
    query
      .trim()
      .split(/\s+/u)
      .map(fold)
      .filter((word) => word.length > 0)
      .map((word) => {
        const spellings = [word];
        const replaced = [];
        for (const [term, forms] of variants) {
          for (const form of forms) {
            const variant = fold(form);
            if (variant && word.includes(variant)) {
              const spelling = word.split(variant).join(fold(term));
              if (!spellings.includes(spelling)) {
                spellings.push(spelling);
                replaced.push([form, term]);
              }
            }
          }
        }
        return { word, spellings, replaced };
      });

  const unitView = (index) => {
    if (!state.cache.has(index)) {
      const [, , title] = state.data.units[index];
      const hay = `${title}\n${state.texts[index] || ""}`;
      state.cache.set(index, { hay, titleLength: title.length + 1, dense: null, spaced: null });
    }
    return state.cache.get(index);
  };

  /** The first index of ``origin`` at or after the raw position ``from``. */
  const firstAt = (origin, from) => {
    let low = 0;
    let high = origin.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (origin[middle] < from) low = middle + 1;
      else high = middle;
    }
    return low;
  };

  /** The first hit of one spelling in a unit at or after the raw position ``from`` (start and length), or null. */
  const findSpelling = (view, spelling, from = 0) => {
    if (ASCII_WORD.test(spelling)) {
      view.spaced = view.spaced || normalised(view.hay, true);
      const pattern = new RegExp(`(?<![0-9a-z])${escapeRegExp(spelling)}(?![0-9a-z]|\\.[0-9])`, "gu");
      pattern.lastIndex = firstAt(view.spaced.origin, from);
      const match = pattern.exec(view.spaced.text);
      if (!match) return null;
      return span(view.hay, view.spaced.origin, match.index, spelling.length);
    }
    view.dense = view.dense || normalised(view.hay, false);
    const at = view.dense.text.indexOf(spelling, firstAt(view.dense.origin, from));
    return at < 0 ? null : span(view.hay, view.dense.origin, at, spelling.length);
  };

  const span = (raw, origin, at, length) => {
    const start = origin[at];
    const endIndex = at + length;
    const end = endIndex < origin.length ? origin[endIndex] : raw.length;
    return { start, length: Math.max(end - start, 1) };
  };

  /** Hits of every word in a unit (first hit of each), or null when a word is missing. */
  const unitHits = (index, words) => {
    const view = unitView(index);
    const hits = [];
    for (const word of words) {
      let best = null;
      for (const spelling of word.spellings) {
        const hit = findSpelling(view, spelling);
        if (hit && (best === null || hit.start < best.start)) best = hit;
      }
      if (best === null) return null;
      hits.push(best);
    }
    return hits;
  };

  /** The first hit in the unit's text (not its title) of any spelling of any word, or null. */
  const textHit = (view, words) => {
    let first = null;
    for (const word of words) {
      for (const spelling of word.spellings) {
        const hit = findSpelling(view, spelling, view.titleLength);
        if (hit && (first === null || hit.start < first.start)) first = hit;
      }
    }
    return first;
  };

  const summary = (view, words) => {
    const paragraph = document.createElement("p");
    paragraph.classList.add("context");
    const raw = view.hay;
    const hit = textHit(view, words);
    const from = hit ? Math.max(hit.start - SUMMARY_BEFORE, view.titleLength) : view.titleLength;
    const to = Math.min(from + SUMMARY_LENGTH, raw.length);
    if (!hit) {
      paragraph.append(raw.slice(from, to), to < raw.length ? "…" : "");
      return paragraph;
    }
    paragraph.append(from > view.titleLength ? "…" : "", raw.slice(from, hit.start));
    const mark = document.createElement("mark");
    mark.textContent = raw.slice(hit.start, hit.start + hit.length);
    paragraph.append(mark, raw.slice(hit.start + hit.length, to), to < raw.length ? "…" : "");
    return paragraph;
  };

  const href = (page, anchor) => `${root()}${page[0]}${anchor ? `#${encodeURIComponent(anchor)}` : ""}`;

  /** Every page with a match, best first: a unit whose text has not arrived yet is searched by its title
   * (which holds its ID and number: REQ-CLOUD-001, 4.1.1), so those results show before any text. */
  const results = (words) => {
    const { pages, units } = state.data;
    const byPage = new Map();
    units.forEach((unit, index) => {
      const page = unit[0];
      if (!byPage.has(page)) byPage.set(page, { units: [], words: words.map(() => null) });
      const entry = byPage.get(page);
      const hits = unitHits(index, words);
      if (hits) {
        entry.units.push({ index, hits, titleHit: hits.some((hit) => hit.start < unitView(index).titleLength) });
      } else {
        // a page holds every word when its places do together (the result opens the first place of the first word)
        words.forEach((word, w) => {
          if (entry.words[w] === null && unitHits(index, [word])) entry.words[w] = index;
        });
      }
    });
    const found = [];
    for (const [page, entry] of byPage) {
      if (entry.units.length) {
        found.push({ page, units: entry.units, pageLevel: false });
      } else if (words.length > 1 && entry.words.every((index) => index !== null)) {
        found.push({ page, units: [{ index: entry.words[0], hits: unitHits(entry.words[0], [words[0]]), titleHit: false }],
                     pageLevel: true });
      }
    }
    const titleHit = (result) => (result.units.some((unit) => unit.titleHit) ? 1 : 0);
    found.sort((a, b) =>
      pages[b.page][2] - pages[a.page][2]
      || titleHit(b) - titleHit(a)
      || (a.pageLevel ? 1 : 0) - (b.pageLevel ? 1 : 0)
      || b.units.length - a.units.length
      || a.page - b.page);
    return found;
  };

  const render = (found, words, list) => {
    const { pages, units } = state.data;
    list.replaceChildren();
    for (const result of found) {
      const page = pages[result.page];
      const ordered = [...result.units].sort((a, b) => (b.titleHit ? 1 : 0) - (a.titleHit ? 1 : 0) || a.index - b.index);
      const [best, ...others] = ordered;
      const unit = units[best.index];
      const item = document.createElement("li");
      item.classList.add("search-result", `search-rank-${page[2]}`);
      const link = item.appendChild(document.createElement("a"));
      link.href = href(page, unit[1]);
      link.textContent = unit[2] && unit[2] !== page[1] ? unit[2] : page[1];
      if (unit[2] && unit[2] !== page[1]) {
        const where = item.appendChild(document.createElement("span"));
        where.classList.add("search-page");
        where.textContent = `（${page[1]}）`;
      }
      item.appendChild(summary(unitView(best.index), words));
      if (others.length) {
        const more = item.appendChild(document.createElement("ul"));
        more.classList.add("search-more");
        for (const other of others.slice(0, MORE_PER_PAGE)) {
          const line = more.appendChild(document.createElement("li"));
          const otherLink = line.appendChild(document.createElement("a"));
          otherLink.href = href(page, units[other.index][1]);
          otherLink.textContent = units[other.index][2] || page[1];
        }
        if (others.length > MORE_PER_PAGE) {
          more.appendChild(document.createElement("li")).textContent =
            `このページのほか ${others.length - MORE_PER_PAGE} か所`;
        }
      }
      list.appendChild(item);
    }
  };

  /**
   * The spelling one character away from ``word`` (one changed, added or left out) that the site's
   * text holds most often, as the text writes it (ＬＡＮ stays ＬＡＮ), or null.
   */
  const nearWord = (word) => {
    const chars = [...word];
    if (chars.length < 2 || chars.length > 30) return null;
    const part = (from, to) => escapeRegExp(chars.slice(from, to).join(""));
    // the longer spellings first: where a word is matched, the whole word wins over its start
    // (バックアプ is バックアップ with ッ left out, not バックアッ with one character changed)
    const added = [];
    const changed = [];
    const left = [];
    for (let i = 0; i <= chars.length; i += 1) {
      added.push(`${part(0, i)}[^\\n]${part(i)}`);
      if (i < chars.length) changed.push(`${part(0, i)}[^\\n]${part(i + 1)}`);
      if (i < chars.length && chars.length > 2) left.push(`${part(0, i)}${part(i + 1)}`);
    }
    const pattern = new RegExp([...added, ...changed, ...left].join("|"), "gu");
    const counts = new Map(); // folded spelling -> [count, as the text writes it]
    state.data.units.forEach((_, index) => {
      const view = unitView(index);
      view.dense = view.dense || normalised(view.hay, false);
      for (const match of view.dense.text.matchAll(pattern)) {
        if (match[0] === word) continue;
        const seen = counts.get(match[0]);
        if (seen) seen[0] += 1;
        else {
          const { start, length } = span(view.hay, view.dense.origin, match.index, match[0].length);
          counts.set(match[0], [1, view.hay.slice(start, start + length)]);
        }
      }
    });
    let best = null;
    for (const [count, written] of counts.values()) {
      if (best === null || count > best[0]) best = [count, written];
    }
    return best ? best[1] : null;
  };

  const suggest = (words, box) => {
    let changed = false;
    const parts = words.map(({ word, spellings }) => {
      const found = state.data.units.some((_, index) => spellings.some((s) => findSpelling(unitView(index), s)));
      if (found) return word;
      const near = nearWord(word);
      if (near) changed = true;
      return near || word;
    });
    if (!changed) return;
    const suggestion = parts.join(" ");
    box.replaceChildren("もしかして: ");
    const link = box.appendChild(document.createElement("a"));
    link.href = `?q=${encodeURIComponent(suggestion)}`;
    link.textContent = suggestion;
    box.hidden = false;
  };

  const run = async () => {
    const query = new URLSearchParams(window.location.search).get("q") || "";
    const input = document.getElementById("guideline-search-query");
    const status = document.getElementById("search-status");
    const list = document.getElementById("search-results");
    const suggestionBox = document.getElementById("search-suggestion");
    if (!status || !list) return;
    if (input) input.value = query;
    if (!query.trim()) {
      document.body.dataset.searchState = "done";
      return;
    }
    document.title = `${query} - ${document.title}`;
    status.textContent = "検索中…";
    document.body.dataset.searchState = "loading";
    try {
      // the list of places and the first (smallest, highest-ranked) chunk of text download together, and
      // each later chunk downloads while the one before is searched: no round trip waits on another
      const firstChunk = loadScript("text-0.js").then(() => null, (error) => error);
      await loadScript("units.js");
      const words = queryWords(query, state.data.variants);
      const notes = words.flatMap((word) => word.replaced.map(([form, term]) => `「${form}」を「${term}」としても探しました。`));
      const chunks = state.data.chunks;
      let next = chunks.length ? firstChunk : null;
      let found = results(words); // the places' titles, while the text downloads
      render(found, words, list);
      for (let n = 0; n < chunks.length; n += 1) {
        const failed = await next;
        if (failed) throw failed;
        next = n + 1 < chunks.length ? loadScript(chunks[n + 1]).then(() => null, (error) => error) : null;
        found = results(words);
        render(found, words, list);
        status.textContent = `検索中…（本文 ${n + 1} / ${chunks.length}）${found.length} ページ`;
      }
      const places = found.reduce((sum, result) => sum + result.units.length, 0);
      status.textContent = (found.length
        ? `検索が完了しました。検索語を含むページが ${found.length} 件（${places} か所）見つかりました。`
        : "検索語を含む箇所は見つかりませんでした。語の区切りや表記を変えて検索してください。")
        + (notes.length ? ` ${notes.join(" ")}` : "");
      if (!found.length) suggest(words, suggestionBox);
      document.body.dataset.searchResults = String(found.length);
    } catch (error) {
      status.textContent = `検索用のデータ（${error.message}）を読み込めませんでした。サイトのファイルがすべてそろっているか確かめてください。`;
    }
    document.body.dataset.searchState = "done";
  };

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", run);
  } else {
    run();
  }
})();
