package demo

import (
	"context"
	"fmt"

	"tessera/internal/app"
	"tessera/internal/auth"
	"tessera/internal/kb"
)

// The demo's help centre: ten topics written in the four languages, in
// four categories. The knowledge base's search quality test
// (internal/kb/testdata/queries.tsv) names the articles by topic.

type kbCategory struct {
	key  string
	name map[string]string
}

type kbArticle struct {
	topic, category string
	tags            []string
	title, body     map[string]string
}

var kbCategories = []kbCategory{
	{"account", map[string]string{"en": "Account and sign-in", "pt-BR": "Conta e acesso", "es": "Cuenta y acceso", "he": "חשבון והתחברות"}},
	{"billing", map[string]string{"en": "Billing and payments", "pt-BR": "Cobrança e pagamentos", "es": "Facturación y pagos", "he": "חיובים ותשלומים"}},
	{"orders", map[string]string{"en": "Orders and delivery", "pt-BR": "Pedidos e entrega", "es": "Pedidos y envíos", "he": "הזמנות ומשלוחים"}},
}

var kbArticles = []kbArticle{
	{topic: "reset-password", category: "account", tags: []string{"password", "login"},
		title: map[string]string{
			"en": "How to reset your password", "pt-BR": "Como redefinir sua senha", "es": "Cómo restablecer tu contraseña", "he": "איך לאפס את הסיסמה",
		},
		body: map[string]string{
			"en":    "Forgot your password or cannot sign in? On the sign-in page choose **Forgot password**, type the email address of your account and open the link we send you. The link works for one hour.\n\n- Check your spam folder if the email does not arrive.\n- Choose a new password of at least 12 characters.",
			"pt-BR": "Esqueceu a senha ou não consegue entrar? Na página de login escolha **Esqueci minha senha**, digite o e-mail da sua conta e abra o link que enviamos. O link vale por uma hora.\n\n- Confira a pasta de spam se o e-mail não chegar.\n- Escolha uma nova senha com pelo menos 12 caracteres.",
			"es":    "¿Olvidaste tu contraseña o no puedes iniciar sesión? En la página de acceso elige **Olvidé mi contraseña**, escribe el correo de tu cuenta y abre el enlace que te enviamos. El enlace vale una hora.\n\n- Revisa la carpeta de spam si el correo no llega.\n- Elige una contraseña nueva de al menos 12 caracteres.",
			"he":    "שכחתם את הסיסמה או שאינכם מצליחים להתחבר? בעמוד ההתחברות בחרו **שכחתי סיסמה**, הקלידו את כתובת הדוא\"ל של החשבון ופתחו את הקישור שנשלח אליכם. הקישור תקף לשעה.\n\n- בדקו את תיקיית הספאם אם ההודעה לא הגיעה.\n- בחרו סיסמה חדשה של 12 תווים לפחות.",
		}},
	{topic: "two-factor", category: "account", tags: []string{"security", "2fa"},
		title: map[string]string{
			"en": "Turn on two-step verification", "pt-BR": "Ative a verificação em duas etapas", "es": "Activa la verificación en dos pasos", "he": "הפעלת אימות דו-שלבי",
		},
		body: map[string]string{
			"en":    "Two-step verification protects your account with a code from an authenticator app besides your password. Go to **Settings → Security**, choose **Enable**, scan the QR code with the app and type the six-digit code. Keep the backup codes somewhere safe.",
			"pt-BR": "A verificação em duas etapas protege sua conta com um código de um aplicativo autenticador além da senha. Vá em **Configurações → Segurança**, escolha **Ativar**, leia o QR code com o aplicativo e digite o código de seis dígitos. Guarde os códigos de backup em um lugar seguro.",
			"es":    "La verificación en dos pasos protege tu cuenta con un código de una aplicación de autenticación además de la contraseña. Ve a **Ajustes → Seguridad**, elige **Activar**, escanea el código QR con la aplicación y escribe el código de seis dígitos. Guarda los códigos de respaldo en un lugar seguro.",
			"he":    "אימות דו-שלבי מגן על החשבון בעזרת קוד מאפליקציית אימות בנוסף לסיסמה. עברו אל **הגדרות ← אבטחה**, בחרו **הפעלה**, סרקו את קוד ה-QR באפליקציה והקלידו את הקוד בן שש הספרות. שמרו את קודי הגיבוי במקום בטוח.",
		}},
	{topic: "change-email", category: "account", tags: []string{"profile", "email"},
		title: map[string]string{
			"en": "Change the email address of your account", "pt-BR": "Alterar o e-mail da sua conta", "es": "Cambiar el correo electrónico de tu cuenta", "he": "שינוי כתובת הדוא\"ל של החשבון",
		},
		body: map[string]string{
			"en":    "Open **Profile**, choose **Edit** next to your email address and type the new address. We send a confirmation link to the new address; the change takes effect when you open it. Your orders and invoices stay in your account.",
			"pt-BR": "Abra o **Perfil**, escolha **Editar** ao lado do seu e-mail e digite o novo endereço. Enviamos um link de confirmação para o novo endereço; a alteração vale quando você o abrir. Seus pedidos e notas fiscais continuam na sua conta.",
			"es":    "Abre tu **Perfil**, elige **Editar** junto a tu correo electrónico y escribe la nueva dirección. Enviamos un enlace de confirmación a la nueva dirección; el cambio se aplica cuando lo abres. Tus pedidos y facturas siguen en tu cuenta.",
			"he":    "פתחו את **הפרופיל**, בחרו **עריכה** ליד כתובת הדוא\"ל והקלידו את הכתובת החדשה. נשלח קישור אישור לכתובת החדשה; השינוי נכנס לתוקף כשתפתחו אותו. ההזמנות והחשבוניות נשארות בחשבון.",
		}},
	{topic: "delete-account", category: "account", tags: []string{"privacy", "gdpr"},
		title: map[string]string{
			"en": "Close and delete your account", "pt-BR": "Encerrar e excluir sua conta", "es": "Cerrar y eliminar tu cuenta", "he": "סגירה ומחיקה של החשבון",
		},
		body: map[string]string{
			"en":    "You can delete your account and your personal data at any time. Go to **Settings → Privacy** and choose **Delete account**. Open orders must be delivered or cancelled first. Deletion is permanent after 30 days; until then you can still restore the account.",
			"pt-BR": "Você pode excluir sua conta e seus dados pessoais a qualquer momento. Vá em **Configurações → Privacidade** e escolha **Excluir conta**. Pedidos em aberto precisam ser entregues ou cancelados antes. A exclusão é definitiva após 30 dias; até lá você ainda pode recuperar a conta.",
			"es":    "Puedes eliminar tu cuenta y tus datos personales en cualquier momento. Ve a **Ajustes → Privacidad** y elige **Eliminar cuenta**. Los pedidos abiertos deben entregarse o cancelarse antes. La eliminación es definitiva a los 30 días; hasta entonces puedes recuperar la cuenta.",
			"he":    "אפשר למחוק את החשבון ואת המידע האישי בכל עת. עברו אל **הגדרות ← פרטיות** ובחרו **מחיקת חשבון**. הזמנות פתוחות צריכות להימסר או להתבטל קודם. המחיקה סופית אחרי 30 יום; עד אז אפשר לשחזר את החשבון.",
		}},
	{topic: "payment-methods", category: "billing", tags: []string{"payment", "card"},
		title: map[string]string{
			"en": "Payment methods we accept", "pt-BR": "Formas de pagamento aceitas", "es": "Métodos de pago aceptados", "he": "אמצעי תשלום שאנחנו מקבלים",
		},
		body: map[string]string{
			"en":    "We accept credit and debit cards (Visa, Mastercard, American Express), PayPal and bank transfer. If a payment is declined, check the card's expiry date and billing address, or try another card. You can change the card saved in your account under **Billing**.",
			"pt-BR": "Aceitamos cartão de crédito e débito (Visa, Mastercard, American Express), Pix e boleto bancário. Se o pagamento for recusado, confira a validade do cartão e o endereço de cobrança, ou tente outro cartão. Você pode trocar o cartão salvo na sua conta em **Cobrança**.",
			"es":    "Aceptamos tarjetas de crédito y débito (Visa, Mastercard, American Express), PayPal y transferencia bancaria. Si el pago es rechazado, revisa la fecha de vencimiento de la tarjeta y la dirección de facturación, o prueba otra tarjeta. Puedes cambiar la tarjeta guardada en **Facturación**.",
			"he":    "אנחנו מקבלים כרטיסי אשראי וחיוב (ויזה, מאסטרקארד, אמריקן אקספרס), פייפאל והעברה בנקאית. אם התשלום נדחה, בדקו את תוקף הכרטיס ואת כתובת החיוב, או נסו כרטיס אחר. אפשר להחליף את הכרטיס השמור בחשבון תחת **חיובים**.",
		}},
	{topic: "refund", category: "billing", tags: []string{"refund", "money"},
		title: map[string]string{
			"en": "Request a refund", "pt-BR": "Como pedir reembolso", "es": "Solicitar un reembolso", "he": "בקשת החזר כספי",
		},
		body: map[string]string{
			"en":    "You can ask for your money back within 30 days of the purchase. Open **Orders**, choose the order and **Request refund**. Refunds go back to the original payment method in 5 to 10 business days; card refunds may take one more billing cycle to appear on your statement.",
			"pt-BR": "Você pode pedir o dinheiro de volta em até 30 dias após a compra. Abra **Pedidos**, escolha o pedido e **Solicitar reembolso**. O reembolso volta para a forma de pagamento original em 5 a 10 dias úteis; no cartão de crédito o estorno pode aparecer só na fatura seguinte.",
			"es":    "Puedes pedir la devolución de tu dinero en los 30 días siguientes a la compra. Abre **Pedidos**, elige el pedido y **Solicitar reembolso**. El reembolso vuelve al método de pago original en 5 a 10 días hábiles; en la tarjeta puede aparecer en el siguiente extracto.",
			"he":    "אפשר לבקש את הכסף בחזרה תוך 30 יום מהרכישה. פתחו את **הזמנות**, בחרו את ההזמנה ואת **בקשת החזר**. ההחזר חוזר לאמצעי התשלום המקורי תוך 5 עד 10 ימי עסקים; בכרטיס אשראי הזיכוי עשוי להופיע רק בחשבון הבא.",
		}},
	{topic: "invoice", category: "billing", tags: []string{"invoice", "receipt"},
		title: map[string]string{
			"en": "Download an invoice or receipt", "pt-BR": "Baixar a nota fiscal ou o recibo", "es": "Descargar una factura o un recibo", "he": "הורדת חשבונית או קבלה",
		},
		body: map[string]string{
			"en":    "Every order has an invoice in PDF. Open **Orders**, choose the order and **Download invoice**. To put your company's name and tax number on future invoices, add them under **Billing → Company details** before you buy.",
			"pt-BR": "Todo pedido tem uma nota fiscal em PDF. Abra **Pedidos**, escolha o pedido e **Baixar nota fiscal**. Para colocar o nome da empresa e o CNPJ nas próximas notas, cadastre-os em **Cobrança → Dados da empresa** antes da compra.",
			"es":    "Cada pedido tiene una factura en PDF. Abre **Pedidos**, elige el pedido y **Descargar factura**. Para poner el nombre de tu empresa y tu número fiscal en las próximas facturas, añádelos en **Facturación → Datos de la empresa** antes de comprar.",
			"he":    "לכל הזמנה יש חשבונית בקובץ PDF. פתחו את **הזמנות**, בחרו את ההזמנה ואת **הורדת חשבונית**. כדי שהחשבוניות הבאות יכללו את שם החברה ומספר העוסק, הוסיפו אותם תחת **חיובים ← פרטי החברה** לפני הרכישה.",
		}},
	{topic: "cancel-subscription", category: "billing", tags: []string{"subscription", "plan"},
		title: map[string]string{
			"en": "Cancel your subscription", "pt-BR": "Cancelar a assinatura", "es": "Cancelar tu suscripción", "he": "ביטול המנוי",
		},
		body: map[string]string{
			"en":    "You can cancel your plan at any time under **Billing → Subscription → Cancel**. You keep access until the end of the period you paid for and you will not be charged again. To pause instead of cancelling, choose **Pause** for up to three months.",
			"pt-BR": "Você pode cancelar seu plano a qualquer momento em **Cobrança → Assinatura → Cancelar**. O acesso continua até o fim do período pago e não haverá nova cobrança. Para pausar em vez de cancelar, escolha **Pausar** por até três meses.",
			"es":    "Puedes cancelar tu plan en cualquier momento en **Facturación → Suscripción → Cancelar**. Mantienes el acceso hasta el final del periodo pagado y no se te cobrará de nuevo. Para pausar en lugar de cancelar, elige **Pausar** hasta tres meses.",
			"he":    "אפשר לבטל את התוכנית בכל עת תחת **חיובים ← מנוי ← ביטול**. הגישה נשמרת עד סוף התקופה ששולמה ולא תחויבו שוב. כדי להקפיא במקום לבטל, בחרו **השהיה** לעד שלושה חודשים.",
		}},
	{topic: "track-order", category: "orders", tags: []string{"shipping", "delivery"},
		title: map[string]string{
			"en": "Track your order", "pt-BR": "Rastrear seu pedido", "es": "Seguir tu pedido", "he": "מעקב אחר ההזמנה",
		},
		body: map[string]string{
			"en":    "When your order ships we email you the tracking number. Open **Orders** and choose **Track shipment** to see where the package is. Delivery usually takes 3 to 7 business days; if the tracking has not changed for five days, contact us.",
			"pt-BR": "Quando o pedido é despachado enviamos por e-mail o código de rastreamento. Abra **Pedidos** e escolha **Rastrear entrega** para ver onde está o pacote. A entrega costuma levar de 3 a 7 dias úteis; se o rastreio não mudar por cinco dias, fale conosco.",
			"es":    "Cuando tu pedido sale te enviamos por correo el número de seguimiento. Abre **Pedidos** y elige **Seguir envío** para ver dónde está el paquete. La entrega suele tardar de 3 a 7 días hábiles; si el seguimiento no cambia en cinco días, contáctanos.",
			"he":    "כשההזמנה נשלחת אנחנו שולחים בדוא\"ל את מספר המעקב. פתחו את **הזמנות** ובחרו **מעקב משלוח** כדי לראות היכן החבילה. המשלוח נמשך בדרך כלל 3 עד 7 ימי עסקים; אם המעקב לא השתנה חמישה ימים, צרו קשר.",
		}},
	{topic: "return-item", category: "orders", tags: []string{"return", "exchange"},
		title: map[string]string{
			"en": "Return or exchange a product", "pt-BR": "Devolver ou trocar um produto", "es": "Devolver o cambiar un producto", "he": "החזרה או החלפה של מוצר",
		},
		body: map[string]string{
			"en":    "Products can be returned within 30 days if they are unused and in their original packaging. Open **Orders**, choose **Return or exchange**, print the prepaid label and drop the parcel at any post office. A damaged or wrong item is replaced at no cost.",
			"pt-BR": "Produtos podem ser devolvidos em até 30 dias se estiverem sem uso e na embalagem original. Abra **Pedidos**, escolha **Devolver ou trocar**, imprima a etiqueta pré-paga e entregue o pacote em qualquer agência dos Correios. Um item com defeito ou errado é trocado sem custo.",
			"es":    "Los productos pueden devolverse en 30 días si están sin usar y en su embalaje original. Abre **Pedidos**, elige **Devolver o cambiar**, imprime la etiqueta prepagada y deja el paquete en cualquier oficina de correos. Un artículo dañado o equivocado se cambia sin coste.",
			"he":    "אפשר להחזיר מוצרים תוך 30 יום אם לא נעשה בהם שימוש והם באריזה המקורית. פתחו את **הזמנות**, בחרו **החזרה או החלפה**, הדפיסו את תווית המשלוח המשולמת ומסרו את החבילה בכל סניף דואר. פריט פגום או שגוי יוחלף ללא עלות.",
		}},
}

// createHelpCentre writes the demo's help centre once: its categories and
// articles in every language, published and public, translations linked.
func createHelpCentre(ctx context.Context, a *app.App, author auth.Actor) (int, error) {
	if existing, err := a.KB.List(ctx, auth.System, kb.ListOptions{Limit: 1}); err != nil || len(existing) > 0 {
		return len(existing), err
	}
	cats := map[string]int64{}
	for i, c := range kbCategories {
		for _, l := range kb.Locales {
			name, locale, pos := c.name[l], l, i
			cat, err := a.KB.CreateCategory(ctx, author, kb.CategoryInput{Locale: &locale, Name: &name, Position: &pos})
			if err != nil {
				return 0, fmt.Errorf("demo: kb category: %w", err)
			}
			cats[c.key+"/"+l] = cat.ID
		}
	}
	n := 0
	published, public := kb.Published, kb.Public
	for _, art := range kbArticles {
		var first *int64
		for _, l := range kb.Locales {
			title, body, locale, cat, tags := art.title[l], art.body[l], l, cats[art.category+"/"+l], art.tags
			created, err := a.KB.Create(ctx, author, kb.ArticleInput{Title: &title, Body: &body, Locale: &locale, CategoryID: &cat,
				Status: &published, Visibility: &public, Tags: &tags, TranslationOf: first})
			if err != nil {
				return 0, fmt.Errorf("demo: kb article %s/%s: %w", art.topic, l, err)
			}
			if first == nil {
				first = &created.ID
			}
			n++
		}
	}
	return n, nil
}

// HelpCentre loads the demo's help centre (for the knowledge base's tests)
// and returns the article ids by "topic/locale".
func HelpCentre(ctx context.Context, a *app.App, author auth.Actor) (map[string]int64, error) {
	if _, err := createHelpCentre(ctx, a, author); err != nil {
		return nil, err
	}
	all, err := a.KB.List(ctx, auth.System, kb.ListOptions{})
	if err != nil {
		return nil, err
	}
	ids := map[string]int64{}
	for _, x := range all {
		for _, art := range kbArticles {
			if art.title[x.Locale] == x.Title {
				ids[art.topic+"/"+x.Locale] = x.ID
			}
		}
	}
	return ids, nil
}
