package engine

import (
	"strings"
	"testing"
)

func TestKeyMentions(t *testing.T) {
	tests := []struct {
		prompt    string
		maxDigits int
		want      string // key@quoted span (key~span when soft), space separated
	}{
		{"Welcome to ABC Restaurant, to book a table press 1, to speak to a representative press 2.", 1, `1@"press 1" 2@"press 2"`},
		{"Press 1 to connect now, press 2 to return", 1, `1@"Press 1" 2@"press 2"`},
		{"1 for sales, 2 for support", 1, `1@"1 for" 2@"2 for"`},
		{"press 1 for sales", 1, `1@"press 1"`},
		{"Press star to go back, PRESS HASH to repeat", 1, `*@"Press star" #@"PRESS HASH"`},
		{"press asterisk, press pound, press *, press #", 1, `*@"press asterisk" #@"press pound" *@"press *" #@"press #"`},
		{"press the star key", 1, `*@"press the star"`},
		{"enter 12 or 34", 2, `12@"enter 12" 34@"34"`},
		{"dial 0 for the operator", 1, `0@"dial 0"`},
		{"hang up and dial 999. For sales press 1", 1, `1@"press 1"`},
		{"hang up and dial 999", 3, `999@"dial 999"`},
		{"press. 1 for", 1, `1@"1 for"`},
		{"open 7 days a week, 9 to 5", 1, ``},
		{"Press 12", 1, `12@"Press 12"`}, // a key too long is still a mention
		{"feeds 10 for 99 dollars, press 1 to order", 1, `1@"press 1"`},
		{"$10 for two. 3 for $5. 4 for hours", 1, `4@"4 for"`},
		{"press one for sales, press two or three, Press Zero", 1, `1@"press one" 2@"press two" 3@"three" 0@"Press Zero"`},
		{"one for sales", 1, ``}, // a number word only after a press word
		{"rate your call from 1 to 5", 1, `1~"1 to 5" 2~"1 to 5" 3~"1 to 5" 4~"1 to 5" 5~"1 to 5"`},
		{"press 1 to 3", 1, `1@"press 1 to 3" 2@"press 1 to 3" 3@"press 1 to 3"`},
		{"press 1-2", 1, `1@"press 1-2" 2@"press 1-2"`},
		{"enter 4 digits, then press pound", 1, `#@"press pound"`},
		{"For option 5, press 1. Select option 2, press key 3", 1, `1@"press 1" 2@"Select option 2" 3@"press key 3"`},
		{"Sales, 1 for new orders, or 2 to track one", 1, `1@"1 for" 2@"2 to"`},
		{"open at 9 for lunch", 1, ``},
		{"", 1, ``},
	}
	for _, tt := range tests {
		var got []string
		for _, m := range keyMentions(tt.prompt, tt.maxDigits, lexicons["en"]) {
			at := "@"
			if m.soft {
				at = "~" // a soft mention: see mention
			}
			got = append(got, m.key+at+"\""+tt.prompt[m.start:m.end]+"\"")
		}
		if g := strings.Join(got, " "); g != tt.want {
			t.Errorf("keyMentions(%q) = %s, want %s", tt.prompt, g, tt.want)
		}
	}
}

// TestKeyMentionsLanguages reads prompts in the languages ivrctl knows,
// and with the words a flow adds.
func TestKeyMentionsLanguages(t *testing.T) {
	tests := []struct {
		tag    string
		words  []string
		prompt string
		want   string
	}{
		{"es", nil, "Para ventas oprima 1, para soporte marque el 2, 3 para el horario.", `1@"oprima 1" 2@"marque el 2" 3@"3 para"`},
		{"es-MX", nil, "Pulse la tecla asterisco para volver, oprima uno o dos.", `*@"Pulse la tecla asterisco" 1@"oprima uno" 2@"dos"`},
		{"es", nil, "Abrimos de 9 a 5, 7 días a la semana.", ``},
		{"fr", nil, "Pour le service client, appuyez sur la touche 1, ou tapez dièse.", `1@"appuyez sur la touche 1" #@"tapez dièse"`},
		{"de", nil, "Für den Verkauf drücken Sie die 1, für Hilfe wählen Sie 2.", `1@"drücken Sie die 1" 2@"wählen Sie 2"`},
		{"it", nil, "Per le vendite premi 1, 2 per l'assistenza.", `1@"premi 1" 2@"2 per"`},
		{"pt-BR", nil, "Para vendas, pressione 1. Para suporte, digite a tecla 2.", `1@"pressione 1" 2@"digite a tecla 2"`},
		{"es", []string{"escoja"}, "Escoja 4 para salir.", `4@"Escoja 4"`},
		{"sw", []string{"bonyeza"}, "Bonyeza 1 kwa Kiswahili.", `1@"Bonyeza 1"`},
		{"en", nil, "Oprima 1.", ``}, // Spanish words are not read in English
	}
	for _, tt := range tests {
		var got []string
		for _, m := range keyMentions(tt.prompt, 1, lexiconFor(tt.tag, tt.words)) {
			got = append(got, m.key+"@\""+tt.prompt[m.start:m.end]+"\"")
		}
		if g := strings.Join(got, " "); g != tt.want {
			t.Errorf("keyMentions(%q) in %s = %s, want %s", tt.prompt, tt.tag, g, tt.want)
		}
	}
	if lexiconFor("sw", nil) != nil {
		t.Error("a language ivrctl knows no words for has a lexicon")
	}
}

func FuzzKeyMentions(f *testing.F) {
	f.Add("press 1 or 2, 3 for more, press the star key", 1, uint8(0))
	f.Add("Für Deutsch drücken Sie die 1, oprima dos", 1, uint8(3))
	tags := []string{"en", "es", "fr", "de", "it", "pt"}
	f.Fuzz(func(t *testing.T, s string, maxDigits int, lang uint8) {
		lex := lexiconFor(tags[int(lang)%len(tags)], []string{"escoja"})
		for _, m := range keyMentions(s, maxDigits, lex) {
			if m.start < 0 || m.end > len(s) || m.start >= m.end {
				t.Fatalf("mention %+v out of %q", m, s)
			}
		}
	})
}
