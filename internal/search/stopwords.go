package search

// stopWords are the most frequent words of the four languages, folded. A
// query drops them when it has other words: they match most tickets, add
// nothing to the ranking, and make the engines walk huge posting lists.
var stopWords = map[string]bool{}

func init() {
	for _, list := range []string{
		// English
		"a an and are as at be but by for from has have i if in is it its me my no not of on or our so that the their them there they this to was we were what when which who will with you your",
		// Portuguese
		"a ao aos as com como da das de do dos e ela ele em entre era essa esse esta este eu foi ha isso mais mas me meu minha na nao nas no nos o os ou para pela pelo por que se sem ser seu sua tem um uma voce",
		// Spanish
		"al como con de del el ella en es esta este esto hay la las le lo los me mi mis muy no nos o para pero por que se si sin su sus te tu un una y ya yo",
		// Hebrew
		"של את על עם זה זו לא כי גם או אם אני הוא היא הם אבל יש אין מה כל רק עוד כך",
	} {
		for _, w := range splitFields(list) {
			stopWords[w] = true
		}
	}
}

func splitFields(s string) []string {
	var out []string
	start := -1
	for i, r := range s {
		if r == ' ' {
			if start >= 0 {
				out = append(out, s[start:i])
				start = -1
			}
			continue
		}
		if start < 0 {
			start = i
		}
	}
	if start >= 0 {
		out = append(out, s[start:])
	}
	return out
}

// IsStopWord reports whether a folded word is one of the most frequent
// words of the four languages (the knowledge base's search drops them).
func IsStopWord(w string) bool { return stopWords[w] }
