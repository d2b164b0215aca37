package squad_test

import (
	"fmt"

	"github.com/gotrt/gotrt/models/accuracy/squad"
)

// Dataset.Evaluate applies evaluate-v1.1.py's metric: answers are compared after
// lower-casing and removing punctuation, articles and extra whitespace, and
// each question takes its best ground truth.
func ExampleDataset_Evaluate() {
	d := &squad.Dataset{Version: "1.1", Data: []squad.Article{{Paragraphs: []squad.Paragraph{{
		Context: "The Broncos beat the Panthers 24-10 in Super Bowl 50.",
		QAs: []squad.QA{
			{ID: "a", Answers: []squad.Answer{{Text: "Denver Broncos"}, {Text: "The Broncos"}}},
			{ID: "b", Answers: []squad.Answer{{Text: "24-10"}}},
		},
	}}}}}
	res, err := d.Evaluate(map[string]string{"a": "broncos!", "b": "24 to 10"})
	if err != nil {
		panic(err)
	}
	fmt.Printf("EM %.1f F1 %.1f over %d questions\n", res.ExactMatch, res.F1, res.Questions)
	fmt.Println(squad.NormalizeAnswer("The Broncos!"))
	// Output:
	// EM 50.0 F1 50.0 over 2 questions
	// broncos
}

// FinalText maps the WordPiece answer back onto the original words,
// keeping their case and dropping the trailing "'s".
func ExampleFinalText() {
	fmt.Println(squad.FinalText("steve smith", "Steve Smith's", true))
	// Output: Steve Smith
}
