// Package squad scores BERT on SQuAD v1.1 as MLPerf's accuracy-squad.py
// and the official evaluate-v1.1.py do.
//
// [Score] rebuilds the evaluation features from the dev JSON with BERT's
// WordPiece tokeniser (basic tokenisation with lower-casing, accent
// stripping, punctuation and CJK splitting; greedy longest-match WordPiece
// with "##" continuations and [UNK]), in windows of MaxSeqLength tokens
// every DocStride tokens, so that a log's qsl_idx names the same feature as
// in MLPerf's QSL. It reads each record as (start, end) logits, chooses each
// question's best span among the n-best start and end positions (in the
// document, maximum-context start, at most MaxAnswerLength tokens), maps the
// WordPieces back to the original text as BERT's get_final_text does, and
// scores exact match and F1 with evaluate-v1.1.py's normalisation.
// [EvaluatePredictions] scores a predictions file directly.
//
// Differences from the Python, all on input the real data set does not
// have: a literal "[CLS]"-style special token inside the text is tokenised
// as text (transformers keeps it whole); lower-casing follows Python's
// str.lower including final sigma, with Go's Unicode tables; accent
// stripping uses a table generated from Python's unicodedata
// (gen/accents.py) and does not reorder the combining marks it keeps.
//
// Errors name the file and the log entry or question; features without a
// record are counted, not hidden.
package squad
