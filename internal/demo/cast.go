package demo

import (
	"fmt"
	"math/rand/v2"
	"strings"

	"tessera/internal/auth"
	"tessera/internal/search"
)

// Team indexes in teamSpecs.
const (
	support = iota
	billing
	technical
)

type teamSpec struct {
	Name, Description string
	Tier              int
}

var teamSpecs = []teamSpec{
	{"Support", "First line: accounts, logins, orders, deliveries and how-to questions.", 1},
	{"Billing", "Invoices, refunds, plans, upgrades and cancellations.", 1},
	{"Technical", "Second line: bugs, outages and the API.", 2},
}

// DemoPassword is the password of every demo agent. It is printed on
// purpose: the demo is for trying Tessera out, never for real data.
const DemoPassword = "tessera-demo"

// demoDomain is the mail domain of the demo agents; Logins finds them by it.
const demoDomain = "tessera.demo"

type agentSpec struct {
	Email, Name, Role, Lang, TZ string
	Teams                       []int
}

// First is the agent's first name, used to sign replies.
func (a agentSpec) First() string { return strings.Fields(a.Name)[0] }

// agentSpecs lists the demo staff: the admin first (the API token is
// theirs), six agents, one light agent. Every team has someone for each of
// the four languages.
var agentSpecs = []agentSpec{
	{"admin@" + demoDomain, "Alex Morgan", auth.RoleAdmin, "en", "Europe/London", []int{support, technical}},
	{"emily@" + demoDomain, "Emily Carter", auth.RoleAgent, "en", "America/New_York", []int{support, billing}},
	{"mariana@" + demoDomain, "Mariana Souza", auth.RoleAgent, "pt-BR", "America/Sao_Paulo", []int{support, billing}},
	{"rafael@" + demoDomain, "Rafael Almeida", auth.RoleAgent, "pt-BR", "America/Sao_Paulo", []int{technical}},
	{"lucia@" + demoDomain, "Lucía Fernández", auth.RoleAgent, "es", "Europe/Madrid", []int{support, billing}},
	{"diego@" + demoDomain, "Diego Ramírez", auth.RoleAgent, "es", "America/Mexico_City", []int{technical}},
	{"noa@" + demoDomain, "Noa Levi", auth.RoleAgent, "he", "Asia/Jerusalem", []int{support, billing, technical}},
	{"yael@" + demoDomain, "Yael Cohen", auth.RoleLight, "he", "Asia/Jerusalem", []int{technical}},
}

const adminAgent = 0

// lightAgent is the index of the light agent (notes only).
var lightAgent = func() int {
	for i, a := range agentSpecs {
		if a.Role == auth.RoleLight {
			return i
		}
	}
	panic("demo: no light agent")
}()

type orgSpec struct {
	Name, Slug, Country, Lang, TZ string
}

// Domain is the organization's mail domain. Demo domains end in .example
// (reserved by RFC 2606), so no notification can ever reach a real company.
func (o orgSpec) Domain() string { return o.Slug + ".example" }

var orgSpecs = []orgSpec{
	// Brazil
	{"Construtora Horizonte", "construtorahorizonte", "BR", "pt-BR", "America/Sao_Paulo"},
	{"Padaria Pão Dourado", "paodourado", "BR", "pt-BR", "America/Sao_Paulo"},
	{"Farmácias Vida Plena", "vidaplena", "BR", "pt-BR", "America/Sao_Paulo"},
	{"Transportadora Rota Sul", "rotasul", "BR", "pt-BR", "America/Sao_Paulo"},
	{"Clínica Sorriso Carioca", "sorrisocarioca", "BR", "pt-BR", "America/Sao_Paulo"},
	{"Agropecuária Cerrado Verde", "cerradoverde", "BR", "pt-BR", "America/Sao_Paulo"},
	{"Escola Novo Saber", "novosaber", "BR", "pt-BR", "America/Sao_Paulo"},
	{"Bella Moda Confecções", "bellamoda", "BR", "pt-BR", "America/Recife"},
	{"Café Serra Azul", "cafeserraazul", "BR", "pt-BR", "America/Sao_Paulo"},
	{"Metalúrgica Ipiranga", "metalurgicaipiranga", "BR", "pt-BR", "America/Sao_Paulo"},
	{"Imobiliária Casa Nova", "casanovaimoveis", "BR", "pt-BR", "America/Sao_Paulo"},
	// Spain and Latin America
	{"Grupo Alborada", "grupoalborada", "ES", "es", "Europe/Madrid"},
	{"Viajes Mediterráneo", "viajesmediterraneo", "ES", "es", "Europe/Madrid"},
	{"Bodegas Río Duero", "bodegasrioduero", "ES", "es", "Europe/Madrid"},
	{"Clínica Dental Sonrisa", "dentalsonrisa", "ES", "es", "Europe/Madrid"},
	{"Logística Azteca", "logisticaazteca", "MX", "es", "America/Mexico_City"},
	{"Panadería La Espiga", "laespiga", "MX", "es", "America/Mexico_City"},
	{"Textiles del Plata", "textilesdelplata", "AR", "es", "America/Argentina/Buenos_Aires"},
	{"Farmacia San Martín", "farmaciasanmartin", "AR", "es", "America/Argentina/Buenos_Aires"},
	{"Café de los Andes", "cafedelosandes", "CO", "es", "America/Bogota"},
	{"Constructora Pacífico", "constructorapacifico", "CL", "es", "America/Santiago"},
	// Israel
	{"Galil Software", "galilsoftware", "IL", "he", "Asia/Jerusalem"},
	{"Negev Solar Energy", "negevsolar", "IL", "he", "Asia/Jerusalem"},
	{"Carmel Medical", "carmelmedical", "IL", "he", "Asia/Jerusalem"},
	{"Yarkon Logistics", "yarkonlogistics", "IL", "he", "Asia/Jerusalem"},
	{"מאפיית השקד", "hashaked", "IL", "he", "Asia/Jerusalem"},
	{"Arava Agritech", "aravaagritech", "IL", "he", "Asia/Jerusalem"},
	{"Herzliya Data Labs", "herzliyadata", "IL", "he", "Asia/Jerusalem"},
	{"Tavor Insurance", "tavorinsurance", "IL", "he", "Asia/Jerusalem"},
	// United States and United Kingdom
	{"Bluebird Logistics", "bluebirdlogistics", "US", "en", "America/Chicago"},
	{"Maple Street Dental", "maplestreetdental", "US", "en", "America/New_York"},
	{"Summit Outdoor Gear", "summitoutdoor", "US", "en", "America/Denver"},
	{"Harbor Analytics", "harboranalytics", "US", "en", "America/Los_Angeles"},
	{"Redwood Property Group", "redwoodproperty", "US", "en", "America/Los_Angeles"},
	{"Lakeside Community College", "lakesidecc", "US", "en", "America/Chicago"},
	{"Brightwater Foods", "brightwaterfoods", "US", "en", "America/New_York"},
	{"Thames Valley Accountants", "thamesvalleyaccountants", "GB", "en", "Europe/London"},
	{"Pennine Engineering", "pennineengineering", "GB", "en", "Europe/London"},
	{"Kensington Interiors", "kensingtoninteriors", "GB", "en", "Europe/London"},
	{"Highland Coffee Roasters", "highlandroasters", "GB", "en", "Europe/London"},
}

// A name is written as shown and, for Hebrew, with a Latin spelling for
// the mail address.
type name struct{ Show, Latin string }

func latin(names ...string) []name {
	out := make([]name, len(names))
	for i, n := range names {
		out[i] = name{n, n}
	}
	return out
}

var firstNames = map[string][]name{
	"en": latin("Emma", "Olivia", "Sarah", "Jessica", "Hannah", "Chloe", "Grace", "Megan", "Rachel", "Lauren", "Sophie", "Amelia",
		"Michael", "David", "Daniel", "Matthew", "Ryan", "Andrew", "Thomas", "Oliver", "Jack", "Ethan", "Nathan", "Chris", "Ben", "Sam"),
	"pt-BR": latin("Ana", "Beatriz", "Camila", "Fernanda", "Juliana", "Larissa", "Patrícia", "Renata", "Tatiane", "Aline", "Gabriela", "Letícia",
		"Bruno", "Carlos", "Eduardo", "Felipe", "Gustavo", "João", "Lucas", "Marcelo", "Paulo", "Rodrigo", "Thiago", "Vinícius", "André", "Leonardo"),
	"es": latin("María", "Carmen", "Laura", "Marta", "Paula", "Sofía", "Valentina", "Camila", "Daniela", "Isabel", "Elena", "Florencia",
		"Alejandro", "Javier", "Pablo", "Sergio", "Andrés", "Mateo", "Santiago", "Carlos", "Miguel", "Fernando", "Jorge", "Luis", "Raúl", "Tomás"),
	"he": {
		{"יעל", "yael"}, {"מיכל", "michal"}, {"שירה", "shira"}, {"רוני", "roni"}, {"הילה", "hila"}, {"אורית", "orit"}, {"דנה", "dana"},
		{"עדי", "adi"}, {"ליאת", "liat"}, {"מאיה", "maya"}, {"אביגיל", "avigail"}, {"רותם", "rotem"},
		{"אבי", "avi"}, {"יוסי", "yossi"}, {"דוד", "david"}, {"משה", "moshe"}, {"איתי", "itai"}, {"עומר", "omer"}, {"אורי", "uri"},
		{"רון", "ron"}, {"גיל", "gil"}, {"עידו", "ido"}, {"יונתן", "yonatan"}, {"אלון", "alon"}, {"נדב", "nadav"}, {"אריאל", "ariel"},
	},
}

var lastNames = map[string][]name{
	"en": latin("Smith", "Johnson", "Williams", "Brown", "Jones", "Miller", "Davis", "Wilson", "Anderson", "Taylor", "Moore", "Martin",
		"Thompson", "White", "Harris", "Clarke", "Walker", "Wright", "Robinson", "Hughes", "Evans", "Turner", "Cooper", "Parker", "Bennett"),
	"pt-BR": latin("Silva", "Santos", "Oliveira", "Souza", "Rodrigues", "Ferreira", "Alves", "Pereira", "Lima", "Gomes", "Costa", "Ribeiro",
		"Martins", "Carvalho", "Almeida", "Lopes", "Soares", "Fernandes", "Vieira", "Barbosa", "Rocha", "Dias", "Nascimento", "Andrade", "Cavalcanti"),
	"es": latin("García", "Martínez", "López", "Sánchez", "González", "Pérez", "Rodríguez", "Fernández", "Gómez", "Díaz", "Moreno", "Álvarez",
		"Romero", "Ruiz", "Torres", "Navarro", "Herrera", "Castro", "Vargas", "Ramos", "Morales", "Ortiz", "Rojas", "Mendoza", "Cruz"),
	"he": {
		{"כהן", "cohen"}, {"לוי", "levi"}, {"מזרחי", "mizrahi"}, {"פרץ", "peretz"}, {"ביטון", "biton"}, {"דהן", "dahan"}, {"אברהם", "avraham"},
		{"פרידמן", "friedman"}, {"אזולאי", "azulay"}, {"שפירא", "shapira"}, {"גולן", "golan"}, {"רוזן", "rosen"}, {"אוחיון", "ohayon"},
		{"קליין", "klein"}, {"בן דוד", "bendavid"}, {"אשכנזי", "ashkenazi"}, {"חדד", "hadad"}, {"גבאי", "gabay"}, {"סגל", "segal"}, {"וקנין", "vaknin"},
	},
}

type contactSpec struct {
	First, Full, Email, Phone string
	Org                       int
	Lang, TZ, Tier            string
	weight                    float64 // how often this person writes in
}

// Number of contacts and organizations in the demo.
const (
	numContacts = 300
	minPerOrg   = 4
)

// planContacts spreads numContacts people over the organizations: a few in
// each, more in the busier ones.
func planContacts(rng *rand.Rand) []contactSpec {
	orgWeight := make([]float64, len(orgSpecs))
	for i := range orgWeight {
		orgWeight[i] = 1 + 4*rng.Float64()
	}
	orgOf := make([]int, 0, numContacts)
	for i := 0; i < minPerOrg*len(orgSpecs); i++ {
		orgOf = append(orgOf, i%len(orgSpecs))
	}
	for len(orgOf) < numContacts {
		orgOf = append(orgOf, pickWeighted(rng, orgWeight))
	}
	seen := map[string]bool{}
	out := make([]contactSpec, 0, numContacts)
	for _, oi := range orgOf {
		o := orgSpecs[oi]
		lang := o.Lang
		switch {
		case lang == "he" && rng.Float64() < 0.25, lang != "en" && lang != "he" && rng.Float64() < 0.05:
			lang = "en" // English speakers abroad
		}
		f := pick(rng, firstNames[lang])
		l := pick(rng, lastNames[lang])
		full := f.Show + " " + l.Show
		if lang == "es" && rng.Float64() < 0.3 {
			full += " " + pick(rng, lastNames["es"]).Show // two surnames
		}
		local := asciiName(f.Latin) + "." + asciiName(l.Latin)
		switch r := rng.Float64(); {
		case r < 0.2:
			local = asciiName(f.Latin)[:1] + asciiName(l.Latin)
		case r < 0.3:
			local = asciiName(f.Latin)
		}
		email := local + "@" + o.Domain()
		for n := 2; seen[email]; n++ {
			email = fmt.Sprintf("%s%d@%s", local, n, o.Domain())
		}
		seen[email] = true
		c := contactSpec{First: f.Show, Full: full, Email: email, Org: oi, Lang: lang, TZ: o.TZ, weight: 0.3 + rng.ExpFloat64()}
		if rng.Float64() < 0.4 {
			c.Phone = phone(rng, o.Country)
			for seen[c.Phone] {
				c.Phone = phone(rng, o.Country)
			}
			seen[c.Phone] = true
		}
		if rng.Float64() < 0.1 {
			c.Tier = "vip"
		}
		out = append(out, c)
	}
	return out
}

// asciiName folds a name into the letters of a mail address.
func asciiName(s string) string {
	var b strings.Builder
	for _, r := range search.Fold(s) {
		if r >= 'a' && r <= 'z' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// phone makes a plausible number; the US and UK ones are in the ranges
// reserved for fiction (555-01xx, 020 7946 0xxx).
func phone(rng *rand.Rand, country string) string {
	d := func(n int) string {
		var b strings.Builder
		for range n {
			b.WriteByte(byte('0' + rng.IntN(10)))
		}
		return b.String()
	}
	switch country {
	case "BR":
		return fmt.Sprintf("+55 %d 9%s-%s", []int{11, 21, 31, 41, 51, 61, 71, 81}[rng.IntN(8)], d(4), d(4))
	case "ES":
		return fmt.Sprintf("+34 6%s %s %s", d(2), d(3), d(3))
	case "MX":
		return fmt.Sprintf("+52 55 %s %s", d(4), d(4))
	case "AR":
		return fmt.Sprintf("+54 9 11 %s-%s", d(4), d(4))
	case "CO":
		return fmt.Sprintf("+57 3%s %s %s", d(2), d(3), d(4))
	case "CL":
		return fmt.Sprintf("+56 9 %s %s", d(4), d(4))
	case "IL":
		return fmt.Sprintf("+972 5%d-%s-%s", rng.IntN(9), d(3), d(4))
	case "GB":
		return "+44 20 7946 0" + d(3)
	default:
		return fmt.Sprintf("+1 (%d) 555-01%s", []int{212, 312, 415, 303, 617, 206}[rng.IntN(6)], d(2))
	}
}

func pick[T any](rng *rand.Rand, xs []T) T { return xs[rng.IntN(len(xs))] }

// pickWeighted returns an index with probability proportional to its weight.
func pickWeighted(rng *rand.Rand, w []float64) int {
	var sum float64
	for _, x := range w {
		sum += x
	}
	r := rng.Float64() * sum
	for i, x := range w {
		if r < x {
			return i
		}
		r -= x
	}
	return len(w) - 1
}
