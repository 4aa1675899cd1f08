// The search page (book/_templates/search.html): Pagefind's UI, started with
// the query the theme's search field sent as ?q=, result links relative to
// wherever the book is hosted (/handbook/, /handbook/v0.2.0/, 127.0.0.1:8000/),
// and each excerpt the whole sentence the best match is in.
"use strict";

const SENTENCE_END_MARK = /[.!?…:]["'”’)\]]*$/;
// "Kim et al. found", "e.g. a feature store": a full stop that ends no sentence.
const ABBREVIATION = /^(?:al|e\.g|i\.e|cf|vs|fig|no)\.$/i;
const SENTENCE_END = { test: (word) => SENTENCE_END_MARK.test(word) && !ABBREVIATION.test(word) };
// A "sentence" longer than this (a table, a code cell) is cut around the match.
const MAX_BEFORE = 20;
const MAX_WORDS = 50;
// A heading or a glossary term alone ("Stream-aligned team.") says too little:
// an excerpt goes on to the next sentence until it has this many words.
const MIN_WORDS = 12;

// The match to show: the one with the heaviest matched words around it (a
// glossary term or a heading beats body text, all query words beat one).
function bestLocation(locations, weighted) {
  const weightOf = new Map((weighted || []).map((w) => [w.location, w.weight]));
  const weight = (at) =>
    locations
      .filter((l) => Math.abs(l - at) <= 3)
      .reduce((sum, l) => sum + (weightOf.get(l) || 1), 0);
  return [...locations].sort((a, b) => weight(b) - weight(a) || a - b)[0];
}

// Pagefind's excerpt is a fixed window of words; this one is the sentence
// around the best match, with every matched word marked. `content` is the
// record's text as Pagefind stores it (already HTML-escaped), `locations`
// the matched words' positions in it.
function sentenceExcerpt(content, locations, weighted) {
  if (!content || !locations || !locations.length) return null;
  const words = content.split(/[\r\n\s]+/g);
  const at = bestLocation(locations, weighted);
  let start = at;
  while (start > 0 && !SENTENCE_END.test(words[start - 1]) && at - start < MAX_BEFORE) start--;
  let end = at;
  while (
    end < words.length - 1 &&
    end - start < MAX_WORDS &&
    (!SENTENCE_END.test(words[end]) || end - start + 1 < MIN_WORDS)
  )
    end++;
  const marked = new Set(locations);
  const text = words
    .slice(start, end + 1)
    .map((word, i) => (marked.has(start + i) ? `<mark>${word}</mark>` : word))
    .join(" ");
  const cutBefore = start > 0 && !SENTENCE_END.test(words[start - 1]);
  const cutAfter = end < words.length - 1 && !SENTENCE_END.test(words[end]);
  return `${cutBefore ? "… " : ""}${text}${cutAfter ? " …" : ""}`;
}

function withSentences(result) {
  result.excerpt = sentenceExcerpt(result.content, result.locations, result.weighted_locations) || result.excerpt;
  for (const sub of result.sub_results || []) {
    sub.excerpt = sentenceExcerpt(result.content, sub.locations, sub.weighted_locations) || sub.excerpt;
  }
  return result;
}

// A glossary entry's own record (handbook.search) names its page and anchor in
// its `url` metadata ("/book/glossary.html#term-Drift"), from the site's root;
// Pagefind would link that as it is, so make it relative to where the book is
// hosted, like every other result.
function atItsAnchor(result, root) {
  if (result.meta && result.meta.url) {
    const target = new URL(result.meta.url.replace(/^\//, ""), root);
    result.url = target.pathname + target.hash;
    delete result.meta.url;
  }
  return result;
}

window.addEventListener("DOMContentLoaded", () => {
  const root = new URL(document.documentElement.dataset.content_root || "./", window.location.href);
  const ui = new PagefindUI({
    element: "#handbook-search",
    baseUrl: root.pathname,
    showSubResults: true,
    showImages: false,
    resetStyles: false,
    autofocus: true,
    processResult: (result) => withSentences(atItsAnchor(result, root)),
    // Long pages (chapters, notebooks with their code and outputs) are
    // normalised by length fully, as in textbook BM25 (Pagefind: 0.75), and
    // repeated mentions saturate later (Pagefind: 1.4). Exact words count far
    // more than longer words they begin (termSimilarity, Pagefind: 1): with
    // Pagefind's 1 the experiment-log notebook, whose code says `log`,
    // `LogisticRegression` and `log_experiment` throughout, scored 29.3 for
    // "Lessons log" against the glossary entry's 27.8; with 9 the entry leads,
    // 27.6 to 22.6. tests/test_reader_features.py checks that every glossary
    // term finds its entry first.
    ranking: { pageLength: 1.0, termSaturation: 2.0, termSimilarity: 9 },
  });
  const query = new URLSearchParams(window.location.search).get("q");
  if (query) ui.triggerSearch(query);
});
