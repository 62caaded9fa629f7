package engine

import (
	"maps"
	"strings"
)

// lexicon is how prompts in one language ask for keys, for keyMentions.
// Words are lower case.
type lexicon struct {
	// press are the words after which a prompt names a key: "press 1",
	// "oprima 2", "appuyez sur 3".
	press map[string]bool
	// fillers may come between a press word and its key: "press the star
	// key", "select option 3", "appuyez sur la touche 1". Not "option"
	// alone: "for option 5, press 1" names key 1 only.
	fillers map[string]bool
	// clauses follow a key that starts a clause: "3 for hours", "2 to go
	// back", "2 para español".
	clauses map[string]bool
	// joins start a clause: ", or 9 for help".
	joins map[string]bool
	// ors join keys after a press word: "press 1 or 2".
	ors map[string]bool
	// numbers are the words a digit is said with: "press one".
	numbers map[string]string
	// star and pound name the keys * and #.
	star, pound map[string]bool
	// units follow a number that counts something rather than names a
	// key: "enter 4 digits", "10 dollars".
	units map[string]bool
	// ranges join the ends of a range of keys: "1 to 5".
	ranges map[string]bool
}

// set returns the words of a space-separated list as a set.
func set(words string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(words) {
		m[w] = true
	}
	return m
}

// digitWords returns the words for 0 to 9, in order, as a map to digits.
func digitWords(words string) map[string]string {
	m := map[string]string{}
	for i, w := range strings.Fields(words) {
		m[w] = string(rune('0' + i))
	}
	return m
}

// lexicons are the languages whose words ivrctl knows, by the language
// part of their tag. Other languages are read with the words a flow gives
// (languages: {xx: {words: [...]}}).
var lexicons = map[string]*lexicon{
	"en": {
		press:   set("press dial enter select push"),
		fillers: set("the option key"),
		clauses: set("for to"),
		joins:   set("or and"),
		ors:     set("or"),
		numbers: digitWords("zero one two three four five six seven eight nine"),
		star:    set("star asterisk"),
		pound:   set("pound hash"),
		units: set("digit digits number numbers dollar dollars cent cents euro euros percent " +
			"second seconds minute minutes hour hours day days week weeks month months year years " +
			"am pm times people persons items"),
		ranges: set("to through thru"),
	},
	"es": {
		press:   set("oprima marque pulse presione digite"),
		fillers: set("el la tecla opción opcion número numero"),
		clauses: set("para"),
		joins:   set("o y"),
		ors:     set("o"),
		numbers: digitWords("cero uno dos tres cuatro cinco seis siete ocho nueve"),
		star:    set("asterisco estrella"),
		pound:   set("numeral almohadilla gato"),
		units:   set("dígitos digitos segundos minutos horas días dias pesos dólares dolares euros"),
	},
	"fr": {
		press:   set("appuyez tapez composez"),
		fillers: set("sur la le touche"),
		clauses: set("pour"),
		joins:   set("ou et"),
		ors:     set("ou"),
		numbers: digitWords("zéro un deux trois quatre cinq six sept huit neuf"),
		star:    set("étoile etoile astérisque"),
		pound:   set("dièse diese"),
		units:   set("chiffres secondes minutes heures jours euros"),
	},
	"de": {
		press:   set("drücken drücke wählen wähle tippen"),
		fillers: set("sie die taste"),
		clauses: set("für"),
		joins:   set("oder und"),
		ors:     set("oder"),
		numbers: digitWords("null eins zwei drei vier fünf sechs sieben acht neun"),
		star:    set("stern sternchen"),
		pound:   set("raute"),
		units:   set("ziffern sekunden minuten stunden tage euro"),
	},
	"it": {
		press:   set("premi premere digita digitare"),
		fillers: set("il tasto"),
		clauses: set("per"),
		joins:   set("o e"),
		ors:     set("o"),
		numbers: digitWords("zero uno due tre quattro cinque sei sette otto nove"),
		star:    set("asterisco"),
		pound:   set("cancelletto"),
		units:   set("cifre secondi minuti ore giorni euro"),
	},
	"pt": {
		press:   set("pressione digite tecle marque"),
		fillers: set("a o tecla opção opcao"),
		clauses: set("para"),
		joins:   set("ou e"),
		ors:     set("ou"),
		numbers: digitWords("zero um dois três quatro cinco seis sete oito nove"),
		star:    set("asterisco estrela"),
		pound:   set("cerquilha sustenido"),
		units:   set("dígitos digitos segundos minutos horas dias reais euros"),
	},
}

// lexiconFor returns the words of the language tag: ivrctl's own for its
// language (es for es-MX), with the press words a flow adds. Nil when
// there are none, and prompts in the language are not read.
func lexiconFor(tag string, words []string) *lexicon {
	base, _, _ := strings.Cut(strings.ToLower(tag), "-")
	lex := lexicons[base]
	if len(words) == 0 {
		return lex
	}
	var added *lexicon
	if lex != nil {
		added = lex.union(nil)
	} else {
		added = &lexicon{}
	}
	added.press = maps.Clone(added.press)
	if added.press == nil {
		added.press = map[string]bool{}
	}
	for _, w := range words {
		added.press[w] = true
	}
	return added
}

// union returns the words of l and m together; either may be nil.
func (l *lexicon) union(m *lexicon) *lexicon {
	if l == nil {
		return m
	}
	if m == nil {
		m = &lexicon{}
	}
	both := func(a, b map[string]bool) map[string]bool {
		out := maps.Clone(a)
		if out == nil {
			out = map[string]bool{}
		}
		maps.Copy(out, b)
		return out
	}
	numbers := maps.Clone(l.numbers)
	if numbers == nil {
		numbers = map[string]string{}
	}
	maps.Copy(numbers, m.numbers)
	return &lexicon{
		press: both(l.press, m.press), fillers: both(l.fillers, m.fillers),
		clauses: both(l.clauses, m.clauses), joins: both(l.joins, m.joins), ors: both(l.ors, m.ors),
		numbers: numbers, star: both(l.star, m.star), pound: both(l.pound, m.pound),
		units: both(l.units, m.units), ranges: both(l.ranges, m.ranges),
	}
}
