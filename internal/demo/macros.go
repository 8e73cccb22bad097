package demo

import (
	"context"
	"fmt"

	"tessera/internal/app"
	"tessera/internal/auth"
	"tessera/internal/macro"
)

// The demo's macros (feature kbmacros): the replies a help desk sends every
// day, each in the four languages, some with the changes that go with
// them.

type macroSpec struct {
	Name    string
	Text    [4]string // en, pt-BR, es, he
	Actions []macro.MacroAction
	// Team names the team an assign_team action moves the ticket to.
	Team string
}

var macroSpecs = []macroSpec{
	{Name: "Asking for details", Text: [4]string{
		"Hi {{requester.first_name}},\n\nThanks for writing to us about ticket #{{ticket.number}}. To look into it, could you tell us:\n\n- what you were doing when it happened,\n- the exact message you saw,\n- and a screenshot, if you can.\n\nBest regards,\n{{agent.name}}",
		"Olá {{requester.first_name}},\n\nObrigado por falar conosco sobre o ticket #{{ticket.number}}. Para investigarmos, pode nos dizer:\n\n- o que você estava fazendo quando aconteceu,\n- a mensagem exata que apareceu,\n- e uma captura de tela, se possível.\n\nAtenciosamente,\n{{agent.name}}",
		"Hola {{requester.first_name}}:\n\nGracias por escribirnos sobre el ticket #{{ticket.number}}. Para revisarlo, ¿podrías contarnos:\n\n- qué estabas haciendo cuando ocurrió,\n- el mensaje exacto que viste,\n- y una captura de pantalla, si puedes?\n\nSaludos,\n{{agent.name}}",
		"שלום {{requester.first_name}},\n\nתודה שפנית אלינו בנושא פנייה #{{ticket.number}}. כדי שנוכל לבדוק, נשמח אם תספר/י לנו:\n\n- מה עשית כשזה קרה,\n- את ההודעה המדויקת שהופיעה,\n- וצילום מסך, אם אפשר.\n\nבברכה,\n{{agent.name}}",
	}, Actions: []macro.MacroAction{{Type: macro.SetStatus, Value: "pending"}, {Type: macro.AddTags, Value: []string{"needs-info"}}}},
	{Name: "Refund processed", Text: [4]string{
		"Hi {{requester.first_name}},\n\nYour refund for ticket #{{ticket.number}} has been processed. It usually shows on your statement within 5 to 10 business days.\n\nBest regards,\n{{agent.name}}",
		"Olá {{requester.first_name}},\n\nSeu reembolso referente ao ticket #{{ticket.number}} foi processado. Normalmente ele aparece na sua fatura em 5 a 10 dias úteis.\n\nAtenciosamente,\n{{agent.name}}",
		"Hola {{requester.first_name}}:\n\nTu reembolso del ticket #{{ticket.number}} ya fue procesado. Suele verse en tu estado de cuenta en 5 a 10 días hábiles.\n\nSaludos,\n{{agent.name}}",
		"שלום {{requester.first_name}},\n\nההחזר עבור פנייה #{{ticket.number}} בוצע. בדרך כלל הוא מופיע בדף החשבון תוך 5 עד 10 ימי עסקים.\n\nבברכה,\n{{agent.name}}",
	}, Actions: []macro.MacroAction{{Type: macro.SetStatus, Value: "solved"}, {Type: macro.AddTags, Value: []string{"refund"}}}},
	{Name: "Closing: solved", Text: [4]string{
		"Hi {{requester.first_name}},\n\nWe're marking ticket #{{ticket.number}} as solved. If anything else comes up, just reply to this message and it will reopen.\n\nBest regards,\n{{agent.name}}",
		"Olá {{requester.first_name}},\n\nEstamos marcando o ticket #{{ticket.number}} como resolvido. Se precisar de algo mais, é só responder a esta mensagem que ele será reaberto.\n\nAtenciosamente,\n{{agent.name}}",
		"Hola {{requester.first_name}}:\n\nMarcamos el ticket #{{ticket.number}} como resuelto. Si necesitas algo más, responde a este mensaje y se volverá a abrir.\n\nSaludos,\n{{agent.name}}",
		"שלום {{requester.first_name}},\n\nאנחנו מסמנים את פנייה #{{ticket.number}} כפתורה. אם יעלה משהו נוסף, פשוט השב/י להודעה זו והיא תיפתח מחדש.\n\nבברכה,\n{{agent.name}}",
	}, Actions: []macro.MacroAction{{Type: macro.SetStatus, Value: "solved"}}},
	{Name: "Password reset steps", Text: [4]string{
		"Hi {{requester.first_name}},\n\nTo reset your password:\n\n1. Open the sign-in page and choose **Forgot password**.\n2. Enter {{requester.email}}.\n3. Follow the link in the email we send you (it is valid for one hour).\n\nBest regards,\n{{agent.name}}",
		"Olá {{requester.first_name}},\n\nPara redefinir sua senha:\n\n1. Abra a página de acesso e escolha **Esqueci minha senha**.\n2. Informe {{requester.email}}.\n3. Siga o link do e-mail que enviaremos (ele vale por uma hora).\n\nAtenciosamente,\n{{agent.name}}",
		"Hola {{requester.first_name}}:\n\nPara restablecer tu contraseña:\n\n1. Abre la página de acceso y elige **Olvidé mi contraseña**.\n2. Escribe {{requester.email}}.\n3. Sigue el enlace del correo que te enviaremos (vale por una hora).\n\nSaludos,\n{{agent.name}}",
		"שלום {{requester.first_name}},\n\nכדי לאפס את הסיסמה:\n\n1. פתח/י את דף הכניסה ובחר/י **שכחתי סיסמה**.\n2. הזן/י את {{requester.email}}.\n3. לחץ/י על הקישור במייל שנשלח (הוא בתוקף לשעה).\n\nבברכה,\n{{agent.name}}",
	}, Actions: []macro.MacroAction{{Type: macro.AddTags, Value: []string{"password"}}}},
	{Name: "Escalated to billing", Text: [4]string{
		"Hi {{requester.first_name}},\n\nI've passed ticket #{{ticket.number}} to our billing team, who can look at your account's charges. They will write to you here.\n\nBest regards,\n{{agent.name}}",
		"Olá {{requester.first_name}},\n\nEncaminhei o ticket #{{ticket.number}} para a nossa equipe de cobrança, que pode analisar as cobranças da sua conta. Eles vão responder por aqui.\n\nAtenciosamente,\n{{agent.name}}",
		"Hola {{requester.first_name}}:\n\nPasé el ticket #{{ticket.number}} a nuestro equipo de facturación, que puede revisar los cargos de tu cuenta. Te escribirán por aquí.\n\nSaludos,\n{{agent.name}}",
		"שלום {{requester.first_name}},\n\nהעברתי את פנייה #{{ticket.number}} לצוות החיובים שלנו, שיכול לבדוק את החיובים בחשבונך. הם יכתבו לך כאן.\n\nבברכה,\n{{agent.name}}",
	}, Team: "Billing", Actions: []macro.MacroAction{{Type: macro.SetPriority, Value: "high"}, {Type: macro.AddTags, Value: []string{"billing", "escalated"}}}},
	{Name: "Thanks", Text: [4]string{
		"Thanks, {{requester.first_name}}! Glad we could help.\n\n{{agent.first_name}}",
		"Obrigado, {{requester.first_name}}! Que bom que pudemos ajudar.\n\n{{agent.first_name}}",
		"¡Gracias, {{requester.first_name}}! Nos alegra haber ayudado.\n\n{{agent.first_name}}",
		"תודה, {{requester.first_name}}! שמחנו לעזור.\n\n{{agent.first_name}}",
	}},
}

// createMacros writes the demo's shared macros; one already there (a
// resumed load) is kept.
func createMacros(ctx context.Context, a *app.App, teams []int64) (int, error) {
	existing, err := a.Macros.List(ctx, auth.System, macro.ListOptions{})
	if err != nil {
		return 0, fmt.Errorf("demo macros: %w", err)
	}
	have := map[string]bool{}
	for _, m := range existing {
		have[m.Name] = true
	}
	n := 0
	for _, s := range macroSpecs {
		if have[s.Name] {
			n++
			continue
		}
		actions := append([]macro.MacroAction{}, s.Actions...)
		for i, t := range teamSpecs {
			if s.Team != "" && t.Name == s.Team {
				actions = append(actions, macro.MacroAction{Type: macro.AssignTeam, Value: teams[i]})
			}
		}
		name, locale, shared := s.Name, "en", true
		tr := map[string]string{"pt-BR": s.Text[1], "es": s.Text[2], "he": s.Text[3]}
		if _, err := a.Macros.Create(ctx, auth.System, macro.MacroInput{Name: &name, Body: &s.Text[0], Locale: &locale, Translations: &tr, Shared: &shared, Actions: &actions}); err != nil {
			return n, fmt.Errorf("demo macro %s: %w", s.Name, err)
		}
		n++
	}
	return n, nil
}
