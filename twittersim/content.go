package twittersim

import (
	"math/rand/v2"
	"strings"
)

// sentences are the building blocks of post texts, by language tag.
var sentences = map[string][]string{
	"en": {
		"Shipping a new release of the ingest worker today.",
		"Finally moved the nightly batch to a proper queue.",
		"Reading about exactly-once delivery again. Spoiler: it is at-least-once plus idempotency.",
		"Coffee first, then the migration.",
		"Our p99 dropped after switching to COPY for bulk inserts.",
		"Who else writes table tests for everything?",
		"Friday deploys are fine if your rollback is boring.",
		"Rate limits are a feature, not a bug.",
		"Spent the morning chasing a flaky test. It was the clock, it is always the clock.",
		"Naïve retries will melt your upstream — add jitter.",
	},
	"ja": {
		"今日はGoのテストを書いています。",
		"キューの設計について考え中。",
		"データベースの移行が無事に終わりました！",
		"コーヒーを飲みながらコードレビュー。",
	},
	"zh": {
		"今天把数据库迁移完成了。",
		"消息队列的重试策略很重要。",
		"周末写了一个小工具。",
		"限流其实是在保护我们自己。",
	},
	"ko": {
		"오늘도 배포 완료했습니다.",
		"큐 설계는 언제나 어렵네요.",
		"테스트가 통과하면 커피 한 잔.",
	},
	"ar": {
		"البرمجة ممتعة جدا اليوم.",
		"انتهيت من ترحيل قاعدة البيانات.",
		"مرحبا بالعالم من خادم جديد.",
	},
	"he": {
		"שלום עולם מהשרת החדש.",
		"סיימתי את ההגירה של מסד הנתונים.",
		"תכנות זה כיף.",
	},
	"es": {
		"¡Nueva versión publicada! Gracias a todos.",
		"Migración de la base de datos terminada.",
		"¿Quién más escribe pruebas antes del café?",
	},
	"de": {
		"Heute läuft die Übertragung endlich stabil.",
		"Größere Batches, weniger Ärger.",
		"Zeitzonen sind schwierig, Schaltsekunden noch mehr.",
	},
	"fr": {
		"Déploiement réussi, café mérité.",
		"Les files d'attente, c'est la vie.",
		"Encore un test instable à cause de l'horloge.",
	},
}

// langWeights sets how often each language is picked, in percent.
var langWeights = []struct {
	lang   string
	weight int
}{
	{"en", 52}, {"ja", 10}, {"zh", 5}, {"ko", 3}, {"ar", 8}, {"he", 7}, {"es", 5}, {"de", 5}, {"fr", 5},
}

var emoji = []string{
	"🚀", "👩‍💻", "🧑🏽‍🔬", "🇯🇵", "🇩🇪", "🇧🇷", "❤️", "👍🏽", "🎉", "☕", "🐘", "🐇", "🐹", "🔥", "✅", "🤔",
}

// hashtagSet is the fixed set of hashtags posts carry.
var hashtagSet = []string{"golang", "rabbitmq", "postgres", "tweetflow", "opensource"}

// markup are snippets with characters the API serves HTML-escaped.
var markup = []string{
	"Tom & Jerry", "p99 < 20ms", "latency > 1s", "R&D", "a -> b", "x <= y && y >= z", "<br> tags",
}

var textEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

// escapeText escapes text the way the API serves it: only &, < and >.
func escapeText(s string) string { return textEscaper.Replace(s) }

func pick[T any](r *rand.Rand, items []T) T { return items[r.IntN(len(items))] }

func pickLang(r *rand.Rand) string {
	n := r.IntN(100)
	for _, lw := range langWeights {
		if n < lw.weight {
			return lw.lang
		}
		n -= lw.weight
	}
	return "en"
}

// sentenceRun returns n sentences of lang, walking shuffled rounds of the whole list
// so that no sentence repeats before the others have been used.
func sentenceRun(r *rand.Rand, lang string, n int) []string {
	pool := sentences[lang]
	out := make([]string, 0, n)
	for len(out) < n {
		for _, i := range r.Perm(len(pool)) {
			if len(out) < n && (len(out) == 0 || len(pool) == 1 || out[len(out)-1] != pool[i]) {
				out = append(out, pool[i])
			}
		}
	}
	return out
}

func chance(r *rand.Rand, percent int) bool { return r.IntN(100) < percent }

// tcoLink invents a shortened link.
func tcoLink(r *rand.Rand) string {
	const chars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	b := make([]byte, 10)
	for i := range b {
		b[i] = chars[r.IntN(len(chars))]
	}
	return tcoPrefix + string(b)
}

// textLen is the length of s in code points, the unit of the 280-character limit.
func textLen(s string) int { return len([]rune(s)) }

// cutText shortens s to at most limit code points ending with "…", cutting at a space
// so that no word, entity or escape sequence is split.
func cutText(s string, limit int) string {
	runes := []rune(s)
	if len(runes) <= limit {
		return s
	}
	head := string(runes[:limit-1])
	if i := strings.LastIndexByte(head, ' '); i > 0 {
		head = head[:i]
	}
	return strings.TrimRight(head, " ") + "…"
}
