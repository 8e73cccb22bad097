package demo

// Text banks of the demo threads, one per language. Placeholders in braces
// are filled per ticket (see vars in plan.go):
//
//	{name} customer's first name   {full} customer's full name (signature)
//	{agent} author's first name    {agent2} a colleague's first name
//	{product} {plan} {seats} {n} {amount} {invoice} {order} {date} {time}
//	{error} {endpoint} {browser} {carrier}
//
// Customer texts avoid grammatical gender where the language has it
// (Portuguese sign-offs, Hebrew verbs), since any name may be filled in.
//
// Every language lists the same texts in the same order: the topics' cases
// (which subject goes with which body and which replies) and the team
// tables in plan.go refer to them by index, for all languages at once.

type topicText struct {
	Subjects, Bodies, Replies []string
}

type langText struct {
	Topics map[string]topicText
	// FollowUps: the customer answers an agent. Nudges: the customer writes
	// again before anyone answered. Reopens: the problem is back.
	FollowUps, Nudges, Reopens []string
	// Asks: the agent needs more information. Solves: the agent wraps up.
	Asks, Solves []string
	// Internal notes: general ones, putting a ticket on hold, escalating.
	Notes, Holds, Escalations []string
}

var texts = map[string]*langText{
	"en": {
		Topics: map[string]topicText{
			"invoice": {
				Subjects: []string{"Invoice {invoice} looks wrong", "Charged twice for {product} this month", "Question about our last invoice", "Tax ID missing on invoice {invoice}"},
				Bodies: []string{
					"Hi,\n\nOur invoice {invoice} for {product} shows {amount}, but we are on the {plan} plan with {seats} seats and expected a lower total. Could you check what happened?\n\nThanks,\n{full}",
					"Hello,\n\nWe were charged twice for {product} this month: {amount} on {date} and the same amount again two days later. Please refund the duplicate charge.\n\nBest regards,\n{full}",
					"Hi there,\n\nOur accounting team needs our tax ID printed on invoice {invoice}. Can you reissue it? The ID is on file in our account settings.\n\nThank you,\n{full}",
				},
				Replies: []string{
					"Hi {name},\n\nThanks for flagging this. I went through invoice {invoice}: the difference comes from {n} seats added in the middle of the billing cycle, which are charged pro rata. I can send you a line-by-line breakdown if that helps.\n\nBest,\n{agent}",
					"Hi {name},\n\nYou are right, and I am sorry about that. The second charge of {amount} was caused by a payment retry on our side. I have started the refund; it usually shows up on your statement within 5 to 10 business days.\n\nBest,\n{agent}",
					"Hi {name},\n\nDone: I have reissued invoice {invoice} with your tax ID and sent the new PDF to the billing contact on the account. The old one is void.\n\nBest,\n{agent}",
				},
			},
			"refund": {
				Subjects: []string{"Refund request for order {order}", "Refund for unused seats", "Where is my refund?"},
				Bodies: []string{
					"Hello,\n\nWe cancelled {n} seats of {product} on {date} but were still billed {amount} for them. We would like a refund for the unused period.\n\nRegards,\n{full}",
					"Hi,\n\nI was told two weeks ago that a refund of {amount} for order {order} had been issued, but nothing has arrived yet. Can you confirm the status?\n\nThanks,\n{full}",
				},
				Replies: []string{
					"Hi {name},\n\nI can confirm the refund of {amount} for order {order} was approved. Card refunds take 5 to 10 business days depending on your bank; you will receive a receipt by email as soon as it is processed.\n\nKind regards,\n{agent}",
					"Hi {name},\n\nThanks for reaching out. To process the refund I need the last four digits of the card used for the payment and the name on the account. Once I have them I will take care of it right away.\n\nKind regards,\n{agent}",
				},
			},
			"login": {
				Subjects: []string{"Cannot log in to {product}", "Login loop after the latest update", "Two-factor code not accepted", "Account locked after too many attempts"},
				Bodies: []string{
					"Hi,\n\nSince this morning I cannot log in to {product}. I enter my email and password and the page just reloads without any error message. I tried {browser} and a private window with the same result.\n\n{full}",
					"Hello,\n\nMy two-factor code is always rejected as invalid, even though the time on my phone is correct. I am completely locked out and have a client meeting at {time}. Please help!\n\n{full}",
					"Hi team,\n\nAfter several failed attempts my account was locked. Can you unlock it? My username is the email I am writing from.\n\nThanks,\n{full}",
				},
				Replies: []string{
					"Hi {name},\n\nSorry for the trouble. This usually happens when an old session cookie gets in the way. Could you clear the cookies for our site in {browser} and try again? If it still fails, please send me a screenshot of the login page.\n\nThanks,\n{agent}",
					"Hi {name},\n\nI have unlocked your account and reset your two-factor setup. The next time you log in you will be asked to scan a new QR code with your authenticator app.\n\nThanks,\n{agent}",
				},
			},
			"password": {
				Subjects: []string{"Password reset email never arrives", "How do I reset my password?", "Reset link says it has expired"},
				Bodies: []string{
					"Hi,\n\nI requested a password reset for {product} three times, but the email never arrives. I checked the spam folder too. Can you help?\n\n{full}",
					"Hello,\n\nEvery time I click the reset link I get \"this link has expired\", even when I click it right away. What am I doing wrong?\n\nThanks,\n{full}",
				},
				Replies: []string{
					"Hi {name},\n\nI can see our emails to your address were blocked by your mail server. I have sent a fresh reset link from a different sender; it is valid for 60 minutes. Please also ask your IT team to allow messages from our domain.\n\nCheers,\n{agent}",
					"Hi {name},\n\nReset links work only once, and some email security scanners open them before you do, which makes them expire. Please copy the link and paste it into the browser instead of clicking it. Let me know if that works!\n\nCheers,\n{agent}",
				},
			},
			"bug": {
				Subjects: []string{"Reports in {product} show the wrong totals", "Export to CSV fails with \"{error}\"", "Dashboard is blank since yesterday", "Dates are off by one day in {product}"},
				Bodies: []string{
					"Hi,\n\nThe monthly report in {product} shows {amount} in revenue, but the sum of the individual rows is different. This started after the update on {date}. Steps: open Reports, choose last month, compare the total with the rows.\n\n{full}",
					"Hello,\n\nWhen I export more than {n} rows to CSV, the download stops with the error \"{error}\". Smaller exports work fine. This is blocking our month-end closing.\n\nRegards,\n{full}",
					"Hi,\n\nSince yesterday the dashboard in {product} is completely blank for me and two colleagues, in {browser}. The rest of the application works.\n\n{full}",
					"Hello,\n\nSince the update on {date}, every date we enter in {product} is saved one day earlier. We are in a different time zone from our head office, if that matters. It is confusing our whole team.\n\n{full}",
				},
				Replies: []string{
					"Hi {name},\n\nThank you for the detailed steps, I was able to reproduce the problem. I have passed it to our engineers with your example and will update you as soon as a fix is scheduled.\n\nBest regards,\n{agent}",
					"Hi {name},\n\nThanks for reporting this. Could you send me the exact time it happened and, if possible, the browser console output? That will help our developers find the cause much faster.\n\nBest regards,\n{agent}",
				},
			},
			"shipping": {
				Subjects: []string{"Order {order} has not arrived", "Tracking for order {order} has not moved in a week", "Received damaged devices in order {order}"},
				Bodies: []string{
					"Hi,\n\nWe ordered {n} FleetTrack devices (order {order}) on {date} and they still have not arrived. The {carrier} tracking page says \"in transit\" since last week.\n\nThanks,\n{full}",
					"Hello,\n\nOrder {order} arrived today but {n} of the devices have cracked cases; the box was clearly dropped. How do we get replacements?\n\nRegards,\n{full}",
				},
				Replies: []string{
					"Hi {name},\n\nI have opened an investigation with {carrier} for order {order}. If the package is not located within 48 hours we will ship a replacement at no cost.\n\nAll the best,\n{agent}",
					"Hi {name},\n\nSorry that your order arrived damaged. Could you send a photo of the devices and of the box? As soon as I have it I will ship the replacements by express delivery.\n\nAll the best,\n{agent}",
				},
			},
			"feature": {
				Subjects: []string{"Feature request: dark mode", "Could you add an export to Excel?", "Suggestion: bulk edit in {product}", "Please support single sign-on with Okta"},
				Bodies: []string{
					"Hi,\n\nWe use {product} all day and would love a dark mode, or at least a higher-contrast theme. Is that on the roadmap?\n\nThanks,\n{full}",
					"Hello,\n\nIt would save our team hours every week if we could edit {n} records at once instead of one by one. Any plans for a bulk edit?\n\nBest,\n{full}",
					"Hi,\n\nOur finance team copies data from {product} into Excel by hand every week. A direct export to .xlsx would save a lot of time. Could you add it?\n\nThanks,\n{full}",
					"Hello,\n\nOur IT policy now requires single sign-on for every tool. Do you support SAML or OpenID Connect with Okta? Without it we cannot renew for our {seats} users.\n\n{full}",
				},
				Replies: []string{
					"Hi {name},\n\nThank you for the suggestion! I have added your vote to the request on our product board; the team reviews the most requested items every quarter. I will let you know if it gets scheduled.\n\nBest,\n{agent}",
					"Hi {name},\n\nGood news: this is already planned for the next release of {product}. In the meantime, the import/export screen can be used as a workaround for larger changes.\n\nBest,\n{agent}",
				},
			},
			"outage": {
				Subjects: []string{"{product} is down", "URGENT: cannot access {product}", "Getting {error} on every page"},
				Bodies: []string{
					"Hi,\n\n{product} has not been loading for the last {n} minutes; every page shows \"{error}\". Our whole team is blocked. Is there an outage?\n\n{full}",
					"Hello,\n\nNobody in our office can reach {product} since {time}. Please treat this as urgent, we have customers waiting.\n\n{full}",
				},
				Replies: []string{
					"Hi {name},\n\nWe are aware of the problem and our engineers are working on it right now. You can follow updates on our status page. I will write back as soon as service is restored.\n\nApologies for the disruption,\n{agent}",
					"Hi {name},\n\nService has been restored: a failed database upgrade caused the errors from {time} on. Everything should work normally now; please let me know if you still see problems.\n\nApologies for the disruption,\n{agent}",
				},
			},
			"api": {
				Subjects: []string{"API returns {error} on {endpoint}", "Webhooks stopped arriving", "Rate limit too low for our integration", "API token rejected"},
				Bodies: []string{
					"Hi,\n\nOur integration calls {endpoint} and since {date} about one request in ten fails with {error}. Nothing changed on our side. We can send request IDs if needed.\n\nThanks,\n{full}",
					"Hello,\n\nWe stopped receiving webhooks for new orders around {time} yesterday. The endpoint on our side is up and returns 200. Can you check the delivery log?\n\n{full}",
					"Hi,\n\nOur nightly sync sends about {n} requests and hits 429 Too Many Requests after a few minutes. Can the rate limit be raised for our account?\n\n{full}",
					"Hi,\n\nSince this morning every call with our API token returns 401 Unauthorized. We did not change the token. Did something change on your side?\n\n{full}",
				},
				Replies: []string{
					"Hi {name},\n\nThanks for the report. I found the failed requests in our logs: they hit a server that was misconfigured after a deployment. It has been taken out of rotation; could you confirm the errors have stopped?\n\nRegards,\n{agent}",
					"Hi {name},\n\nYour account is on the standard limit of 600 requests per minute. I have asked the team to raise it for your token; in the meantime, retrying after the Retry-After header avoids losing requests.\n\nRegards,\n{agent}",
					"Hi {name},\n\nOur delivery log shows your endpoint timed out several times in a row yesterday, so webhooks were paused automatically. I have re-enabled them and replayed the events you missed.\n\nRegards,\n{agent}",
					"Hi {name},\n\nThe token was revoked automatically because it appeared in a public repository. Please create a new one under Settings → API tokens and keep it in a secret store.\n\nRegards,\n{agent}",
				},
			},
			"cancel": {
				Subjects: []string{"Please cancel our subscription", "Cancellation of {product}", "How do I close our account?"},
				Bodies: []string{
					"Hi,\n\nWe have decided to stop using {product} at the end of this billing period. Please cancel our {plan} subscription and confirm there will be no further charges.\n\nRegards,\n{full}",
					"Hello,\n\nOur company is moving to another tool, so we would like to close our account. Can we export all our data first?\n\n{full}",
				},
				Replies: []string{
					"Hi {name},\n\nSorry to see you go. I have scheduled the cancellation for the end of the current period, so you keep access until then and will not be charged again. Your data can be exported from Settings → Export at any time before that date.\n\nAll the best,\n{agent}",
					"Hi {name},\n\nBefore I cancel: would a smaller plan help? I can move you to Starter with {seats} seats at half the price. If you still prefer to cancel, just reply and I will take care of it.\n\nAll the best,\n{agent}",
				},
			},
			"upgrade": {
				Subjects: []string{"Upgrade to the {plan} plan", "Adding {n} seats to our account", "Quote for the {plan} plan"},
				Bodies: []string{
					"Hi,\n\nWe would like to upgrade to the {plan} plan and add {n} seats. Can you send a quote in our currency?\n\nThanks,\n{full}",
					"Hello,\n\nHow is the price calculated if we upgrade to {plan} in the middle of the month? We currently have {seats} seats.\n\n{full}",
				},
				Replies: []string{
					"Hi {name},\n\nGreat to hear! The {plan} plan with {seats} seats comes to {amount} per month; when you upgrade mid-cycle you only pay the difference for the remaining days. I can apply the change today if you confirm.\n\nBest,\n{agent}",
					"Hi {name},\n\nI have upgraded your account to {plan} and added the seats. The pro-rated amount will appear on your next invoice.\n\nBest,\n{agent}",
				},
			},
		},
		FollowUps: []string{
			"Hi {agent},\n\nThanks for the quick answer. I tried that but the problem is still there. Anything else I can do?\n\n{full}",
			"Hello,\n\nAny news on this? It is starting to affect our work.\n\n{full}",
			"Hi,\n\nHere is the information you asked for. The issue happened again today at {time}.\n\n{full}",
			"Thanks {agent}. One more question: will this also affect the other users on our account?\n\n{full}",
		},
		Nudges: []string{
			"Hello,\n\nJust following up on my message above: is anyone looking at this?\n\n{full}",
			"Hi,\n\nSorry to insist, but this is getting urgent for us. Any update?\n\n{full}",
		},
		Reopens: []string{
			"Hi {agent},\n\nSorry, I have to reopen this: it happened again this morning.\n\n{full}",
			"Hello,\n\nThe problem is back since yesterday, exactly as before. Can you take another look?\n\n{full}",
			"Hi {agent},\n\nSorry to come back to this, but we were charged the wrong amount again this month.\n\n{full}",
		},
		Asks: []string{
			"Hi {name},\n\nCould you send me a few more details (a screenshot, and the approximate time it happened)? Then I can look into it right away.\n\n{agent}",
			"Hi {name},\n\nThanks for your patience. Before I go further, can you confirm which of your users are affected and since when?\n\n{agent}",
			"Hi {name},\n\nTo look into this I need the invoice number and the email address of the account owner. Could you send them?\n\n{agent}",
		},
		Solves: []string{
			"Hi {name},\n\nGlad we could sort this out. I will mark this ticket as solved; just reply if anything else comes up.\n\n{agent}",
			"Hi {name},\n\nThe fix has been deployed and I have checked it on your account. I am marking this request as solved; reply here if the problem comes back.\n\n{agent}",
			"Hi {name},\n\nEverything is done on our side. Thanks for your patience!\n\n{agent}",
		},
		Notes: []string{
			"Checked the logs: the errors started right after the deployment on {date}.",
			"Customer is on the {plan} plan with {seats} seats. Renewal is coming up, handle with care.",
			"Reproduced on staging with {browser}. Opened an engineering issue and linked it here.",
			"Same problem reported by another customer this week, probably not specific to this account.",
			"Called the customer, they confirmed the details above. Waiting on their IT team.",
			"{agent2}, can you double-check the billing history before we answer?",
		},
		Holds: []string{
			"Escalated to our payment provider; waiting for their answer before replying to the customer.",
			"Waiting on the vendor's fix, expected next week. Putting this on hold until then.",
		},
		Escalations: []string{
			"Escalating to Technical: this looks like a bug, not a configuration problem.",
			"Handing over to Technical, I could not find anything wrong with the account settings.",
		},
	},

	"pt-BR": {
		Topics: map[string]topicText{
			"invoice": {
				Subjects: []string{"Fatura {invoice} com valor errado", "Cobrança duplicada do {product} este mês", "Dúvida sobre a última fatura", "CNPJ não aparece na fatura {invoice}"},
				Bodies: []string{
					"Olá,\n\nNossa fatura {invoice} do {product} veio com {amount}, mas estamos no plano {plan} com {seats} usuários e esperávamos um valor menor. Podem verificar o que aconteceu?\n\nAtenciosamente,\n{full}",
					"Bom dia,\n\nFomos cobrados duas vezes pelo {product} este mês: {amount} em {date} e o mesmo valor dois dias depois. Por favor, estornem a cobrança duplicada.\n\nAtenciosamente,\n{full}",
					"Olá,\n\nNosso financeiro precisa que o CNPJ da empresa apareça na fatura {invoice}. Vocês conseguem reemitir? O número está cadastrado nas configurações da conta.\n\nAbraço,\n{full}",
				},
				Replies: []string{
					"Olá, {name}!\n\nAgradeço o aviso. Analisei a fatura {invoice}: a diferença vem de {n} usuários adicionados no meio do ciclo, que são cobrados proporcionalmente. Se ajudar, posso enviar o detalhamento item por item.\n\nAbraço,\n{agent}",
					"Olá, {name}!\n\nVocê tem toda a razão, peço desculpas. A segunda cobrança de {amount} foi causada por uma nova tentativa de pagamento do nosso lado. Já solicitei o estorno; normalmente ele aparece na fatura do cartão em 5 a 10 dias úteis.\n\nAbraço,\n{agent}",
					"Olá, {name}!\n\nPronto: reemiti a fatura {invoice} com o CNPJ e enviei o novo PDF para o contato financeiro da conta. A anterior foi cancelada.\n\nAbraço,\n{agent}",
				},
			},
			"refund": {
				Subjects: []string{"Pedido de reembolso do pedido {order}", "Reembolso de licenças não utilizadas", "Cadê meu reembolso?"},
				Bodies: []string{
					"Olá,\n\nCancelamos {n} licenças do {product} em {date}, mas ainda fomos cobrados {amount} por elas. Gostaríamos do reembolso do período não utilizado.\n\nAtenciosamente,\n{full}",
					"Oi,\n\nHá duas semanas me informaram que o reembolso de {amount} do pedido {order} tinha sido feito, mas até agora nada. Podem confirmar a situação?\n\n{full}",
				},
				Replies: []string{
					"Olá, {name}!\n\nConfirmo que o reembolso de {amount} do pedido {order} foi aprovado. Estornos no cartão levam de 5 a 10 dias úteis, dependendo do banco; você receberá um e-mail assim que for processado.\n\nAtenciosamente,\n{agent}",
					"Olá, {name}!\n\nPara processar o reembolso, preciso dos quatro últimos dígitos do cartão usado no pagamento e do nome do titular da conta. Assim que receber, resolvo na hora.\n\nAtenciosamente,\n{agent}",
				},
			},
			"login": {
				Subjects: []string{"Não consigo entrar no {product}", "Login volta para a mesma tela depois da atualização", "Código de verificação em duas etapas não é aceito", "Conta bloqueada após várias tentativas"},
				Bodies: []string{
					"Olá,\n\nDesde hoje de manhã não consigo entrar no {product}. Digito e-mail e senha e a página simplesmente recarrega, sem nenhuma mensagem de erro. Já tentei no {browser} e em janela anônima, com o mesmo resultado.\n\n{full}",
					"Oi,\n\nO código da verificação em duas etapas sempre aparece como inválido, mesmo com o horário do celular certo. Estou sem acesso nenhum e tenho reunião com cliente às {time}. Socorro!\n\n{full}",
					"Olá, pessoal,\n\nDepois de algumas tentativas erradas minha conta foi bloqueada. Vocês podem desbloquear? O usuário é este mesmo e-mail.\n\nAbraço,\n{full}",
				},
				Replies: []string{
					"Olá, {name}!\n\nDesculpe pelo transtorno. Isso costuma acontecer quando um cookie de sessão antigo atrapalha. Pode limpar os cookies do nosso site no {browser} e tentar de novo? Se continuar, me mande um print da tela de login.\n\nAbraço,\n{agent}",
					"Olá, {name}!\n\nDesbloqueei sua conta e reiniciei a verificação em duas etapas. No próximo acesso, será pedido que você escaneie um novo QR code no aplicativo autenticador.\n\nAbraço,\n{agent}",
				},
			},
			"password": {
				Subjects: []string{"E-mail de redefinição de senha não chega", "Como faço para trocar minha senha?", "Link de redefinição diz que expirou"},
				Bodies: []string{
					"Olá,\n\nPedi a redefinição de senha do {product} três vezes e o e-mail nunca chega. Já olhei a caixa de spam. Podem ajudar?\n\n{full}",
					"Oi,\n\nToda vez que clico no link de redefinição aparece \"este link expirou\", mesmo clicando na hora. O que estou fazendo de errado?\n\n{full}",
				},
				Replies: []string{
					"Olá, {name}!\n\nVi aqui que nossos e-mails para o seu endereço foram bloqueados pelo servidor de e-mail da sua empresa. Enviei um novo link por outro remetente; ele vale por 60 minutos. Peça também à sua equipe de TI para liberar mensagens do nosso domínio.\n\nAbraço,\n{agent}",
					"Olá, {name}!\n\nOs links de redefinição só podem ser usados uma vez, e alguns filtros de segurança de e-mail abrem o link antes de você, o que faz ele expirar. Copie o link e cole direto no navegador em vez de clicar. Me avise se funcionou!\n\nAbraço,\n{agent}",
				},
			},
			"bug": {
				Subjects: []string{"Relatórios do {product} mostram totais errados", "Exportação para CSV falha com \"{error}\"", "Painel em branco desde ontem", "Datas com um dia de diferença no {product}"},
				Bodies: []string{
					"Olá,\n\nO relatório mensal do {product} mostra {amount} de faturamento, mas a soma das linhas dá outro valor. Começou depois da atualização de {date}. Passos: abrir Relatórios, escolher o mês passado e comparar o total com as linhas.\n\n{full}",
					"Oi,\n\nQuando exporto mais de {n} linhas para CSV, o download para com o erro \"{error}\". Exportações menores funcionam. Isso está travando o nosso fechamento do mês.\n\nAtenciosamente,\n{full}",
					"Olá,\n\nDesde ontem o painel do {product} aparece totalmente em branco para mim e para dois colegas, no {browser}. O resto do sistema funciona.\n\n{full}",
					"Olá,\n\nDesde a atualização de {date}, toda data que cadastramos no {product} é salva com um dia a menos. Estamos em um fuso horário diferente da matriz, se isso fizer diferença. Está confundindo a equipe toda.\n\n{full}",
				},
				Replies: []string{
					"Olá, {name}!\n\nAgradeço os passos detalhados, consegui reproduzir o problema. Encaminhei para a nossa equipe de desenvolvimento com o seu exemplo e aviso assim que a correção estiver programada.\n\nAtenciosamente,\n{agent}",
					"Olá, {name}!\n\nAgradeço o relato. Pode me mandar o horário exato em que aconteceu e, se possível, o que aparece no console do navegador? Isso ajuda muito nossos desenvolvedores a achar a causa.\n\nAtenciosamente,\n{agent}",
				},
			},
			"shipping": {
				Subjects: []string{"Pedido {order} ainda não chegou", "Rastreio do pedido {order} parado há uma semana", "Aparelhos danificados no pedido {order}"},
				Bodies: []string{
					"Olá,\n\nCompramos {n} rastreadores FleetTrack (pedido {order}) em {date} e até agora nada. O rastreio da transportadora ({carrier}) mostra \"em trânsito\" desde a semana passada.\n\n{full}",
					"Oi,\n\nO pedido {order} chegou hoje, mas {n} aparelhos vieram com a carcaça rachada; a caixa claramente caiu. Como conseguimos a troca?\n\nAtenciosamente,\n{full}",
				},
				Replies: []string{
					"Olá, {name}!\n\nAbri uma investigação com a transportadora ({carrier}) sobre o pedido {order}. Se o pacote não for localizado em 48 horas, enviaremos outro sem custo.\n\nAbraço,\n{agent}",
					"Olá, {name}!\n\nSinto muito que o pedido chegou danificado. Pode mandar uma foto dos aparelhos e da caixa? Assim que receber, envio a reposição por entrega expressa.\n\nAbraço,\n{agent}",
				},
			},
			"feature": {
				Subjects: []string{"Sugestão: modo escuro", "Seria possível exportar para Excel?", "Sugestão: edição em massa no {product}", "Login único (SSO) com Google Workspace"},
				Bodies: []string{
					"Olá,\n\nUsamos o {product} o dia todo e adoraríamos um modo escuro, ou pelo menos um tema com mais contraste. Isso está nos planos?\n\nAbraço,\n{full}",
					"Oi,\n\nEconomizaríamos horas por semana se desse para editar {n} registros de uma vez, em vez de um por um. Existe previsão de edição em massa?\n\n{full}",
					"Oi,\n\nNosso financeiro copia os dados do {product} para o Excel toda semana, na mão. Uma exportação direta para .xlsx economizaria muito tempo. Vocês poderiam incluir?\n\n{full}",
					"Olá,\n\nNossa política de TI agora exige login único em todas as ferramentas. Vocês suportam SAML ou OpenID Connect com o Google Workspace? Sem isso não conseguimos renovar para os nossos {seats} usuários.\n\n{full}",
				},
				Replies: []string{
					"Olá, {name}!\n\nAgradeço a sugestão! Registrei seu voto no nosso quadro de produto; o time revisa os pedidos mais votados a cada trimestre. Aviso você se entrar no planejamento.\n\nAbraço,\n{agent}",
					"Olá, {name}!\n\nBoa notícia: isso já está previsto para a próxima versão do {product}. Enquanto isso, a tela de importação/exportação pode ser usada para alterações maiores.\n\nAbraço,\n{agent}",
				},
			},
			"outage": {
				Subjects: []string{"{product} fora do ar", "URGENTE: sem acesso ao {product}", "Erro {error} em todas as páginas"},
				Bodies: []string{
					"Olá,\n\nO {product} não carrega há {n} minutos; todas as páginas mostram \"{error}\". A equipe inteira está parada. Vocês estão com alguma instabilidade?\n\n{full}",
					"Oi,\n\nNinguém aqui no escritório consegue acessar o {product} desde as {time}. Por favor, tratem como urgente, temos clientes esperando.\n\n{full}",
				},
				Replies: []string{
					"Olá, {name}!\n\nJá sabemos do problema e nossos engenheiros estão trabalhando nele agora. Você pode acompanhar as atualizações na nossa página de status. Volto a escrever assim que o serviço for restabelecido.\n\nDesculpe o transtorno,\n{agent}",
					"Olá, {name}!\n\nO serviço foi restabelecido: uma atualização de banco de dados com falha causou os erros a partir das {time}. Tudo deve funcionar normalmente agora; me avise se ainda notar algum problema.\n\nDesculpe o transtorno,\n{agent}",
				},
			},
			"api": {
				Subjects: []string{"API retorna {error} em {endpoint}", "Webhooks pararam de chegar", "Limite de requisições baixo para a nossa integração", "Token de API recusado"},
				Bodies: []string{
					"Olá,\n\nNossa integração chama {endpoint} e desde {date} cerca de uma em cada dez requisições falha com {error}. Nada mudou do nosso lado. Temos os IDs das requisições, se precisarem.\n\n{full}",
					"Oi,\n\nParamos de receber os webhooks de novos pedidos ontem por volta das {time}. O endpoint do nosso lado está no ar e responde 200. Podem verificar o log de envios?\n\n{full}",
					"Olá,\n\nNossa sincronização noturna envia umas {n} requisições e recebe 429 Too Many Requests depois de alguns minutos. Dá para aumentar o limite da nossa conta?\n\n{full}",
					"Olá,\n\nDesde hoje de manhã todas as chamadas com o nosso token de API retornam 401 Unauthorized. Não mudamos o token. Algo mudou do lado de vocês?\n\n{full}",
				},
				Replies: []string{
					"Olá, {name}!\n\nAgradeço o relato. Encontrei as requisições com falha nos nossos logs: elas caíram em um servidor mal configurado depois de uma implantação. Ele já foi retirado; pode confirmar se os erros pararam?\n\nAtenciosamente,\n{agent}",
					"Olá, {name}!\n\nSua conta está no limite padrão de 600 requisições por minuto. Pedi ao time para aumentar o limite do seu token; enquanto isso, repetir as chamadas respeitando o cabeçalho Retry-After evita perder requisições.\n\nAtenciosamente,\n{agent}",
					"Olá, {name}!\n\nNosso log de envios mostra que o seu endpoint excedeu o tempo limite várias vezes seguidas ontem, então os webhooks foram pausados automaticamente. Reativei o envio e reenviei os eventos perdidos.\n\nAtenciosamente,\n{agent}",
					"Olá, {name}!\n\nO token foi revogado automaticamente porque apareceu em um repositório público. Por favor, crie um novo em Configurações → Tokens de API e guarde-o em um cofre de segredos.\n\nAtenciosamente,\n{agent}",
				},
			},
			"cancel": {
				Subjects: []string{"Cancelamento da assinatura", "Quero cancelar o {product}", "Como encerrar nossa conta?"},
				Bodies: []string{
					"Olá,\n\nDecidimos deixar de usar o {product} ao fim deste ciclo de cobrança. Por favor, cancelem nossa assinatura {plan} e confirmem que não haverá novas cobranças.\n\nAtenciosamente,\n{full}",
					"Oi,\n\nNossa empresa vai migrar para outra ferramenta, então queremos encerrar a conta. Conseguimos exportar todos os dados antes?\n\n{full}",
				},
				Replies: []string{
					"Olá, {name}!\n\nQue pena que vocês vão sair. Agendei o cancelamento para o fim do período atual: o acesso continua até lá e não haverá novas cobranças. Os dados podem ser exportados em Configurações → Exportar a qualquer momento antes dessa data.\n\nAbraço,\n{agent}",
					"Olá, {name}!\n\nAntes de cancelar: um plano menor ajudaria? Posso passar vocês para o Starter com {seats} usuários pela metade do preço. Se ainda preferirem cancelar, é só responder que eu cuido disso.\n\nAbraço,\n{agent}",
				},
			},
			"upgrade": {
				Subjects: []string{"Mudança para o plano {plan}", "Adicionar {n} usuários à nossa conta", "Orçamento do plano {plan}"},
				Bodies: []string{
					"Olá,\n\nGostaríamos de mudar para o plano {plan} e adicionar {n} usuários. Podem enviar um orçamento em reais?\n\n{full}",
					"Oi,\n\nComo fica o valor se mudarmos para o plano {plan} no meio do mês? Hoje temos {seats} usuários.\n\n{full}",
				},
				Replies: []string{
					"Olá, {name}!\n\nQue ótimo! O plano {plan} com {seats} usuários fica em {amount} por mês; na mudança no meio do ciclo, vocês pagam só a diferença dos dias restantes. Posso aplicar hoje mesmo se confirmar.\n\nAbraço,\n{agent}",
					"Olá, {name}!\n\nJá mudei sua conta para o plano {plan} e adicionei os usuários. O valor proporcional vai aparecer na próxima fatura.\n\nAbraço,\n{agent}",
				},
			},
		},
		FollowUps: []string{
			"Oi, {agent},\n\nAgradeço a resposta rápida. Tentei isso, mas o problema continua. Tem mais alguma coisa que eu possa fazer?\n\n{full}",
			"Olá,\n\nAlguma novidade? Isso já está atrapalhando o nosso trabalho.\n\n{full}",
			"Olá,\n\nSeguem as informações que você pediu. O problema aconteceu de novo hoje às {time}.\n\n{full}",
			"Valeu, {agent}. Só mais uma dúvida: isso afeta também os outros usuários da conta?\n\n{full}",
		},
		Nudges: []string{
			"Olá,\n\nSó reforçando a mensagem acima: alguém já está vendo isso?\n\n{full}",
			"Oi,\n\nDesculpe insistir, mas isso está ficando urgente para nós. Alguma novidade?\n\n{full}",
		},
		Reopens: []string{
			"Oi, {agent},\n\nDesculpe, vou ter que reabrir: aconteceu de novo hoje de manhã.\n\n{full}",
			"Olá,\n\nO problema voltou desde ontem, exatamente como antes. Podem dar mais uma olhada?\n\n{full}",
			"Oi, {agent},\n\nDesculpe voltar a este assunto, mas fomos cobrados com o valor errado de novo este mês.\n\n{full}",
		},
		Asks: []string{
			"Olá, {name}!\n\nPode me mandar mais alguns detalhes (um print da tela e o horário aproximado em que aconteceu)? Com isso eu já consigo investigar.\n\n{agent}",
			"Olá, {name}!\n\nAgradeço a paciência. Antes de seguir, pode confirmar quais usuários foram afetados e desde quando?\n\n{agent}",
			"Olá, {name}!\n\nPara verificar isso, preciso do número da fatura e do e-mail do titular da conta. Pode me enviar?\n\n{agent}",
		},
		Solves: []string{
			"Olá, {name}!\n\nQue bom que conseguimos resolver. Vou marcar este chamado como resolvido; se precisar de mais alguma coisa, é só responder.\n\n{agent}",
			"Olá, {name}!\n\nA correção foi publicada e conferi na sua conta. Vou marcar o chamado como resolvido; responda aqui se o problema voltar.\n\n{agent}",
			"Olá, {name}!\n\nTudo certo do nosso lado. Agradecemos a paciência!\n\n{agent}",
		},
		Notes: []string{
			"Olhei os logs: os erros começaram logo depois da implantação de {date}.",
			"Cliente no plano {plan}, {seats} usuários. Renovação chegando, tratar com cuidado.",
			"Reproduzi em homologação no {browser}. Abri uma issue para a engenharia e vinculei aqui.",
			"Outro cliente relatou o mesmo problema esta semana, provavelmente não é algo da conta.",
			"Liguei para o cliente, que confirmou os dados acima. Aguardando a equipe de TI deles.",
			"{agent2}, pode conferir o histórico de cobrança antes de respondermos?",
		},
		Holds: []string{
			"Escalado para o provedor de pagamentos; aguardando retorno antes de responder ao cliente.",
			"Aguardando a correção do fornecedor, prevista para a semana que vem. Fica em espera até lá.",
		},
		Escalations: []string{
			"Escalando para o Técnico: parece bug, não problema de configuração.",
			"Passando para o Técnico, não encontrei nada de errado nas configurações da conta.",
		},
	},

	"es": {
		Topics: map[string]topicText{
			"invoice": {
				Subjects: []string{"La factura {invoice} tiene un importe incorrecto", "Cobro duplicado de {product} este mes", "Consulta sobre nuestra última factura", "Falta nuestro número fiscal en la factura {invoice}"},
				Bodies: []string{
					"Hola:\n\nNuestra factura {invoice} de {product} es de {amount}, pero estamos en el plan {plan} con {seats} usuarios y esperábamos un total menor. ¿Pueden revisar qué pasó?\n\nGracias,\n{full}",
					"Buenos días:\n\nNos cobraron dos veces {product} este mes: {amount} el {date} y el mismo importe dos días después. Por favor, devuelvan el cargo duplicado.\n\nUn saludo,\n{full}",
					"Hola:\n\nNuestro departamento de contabilidad necesita que aparezca nuestro número de identificación fiscal en la factura {invoice}. ¿Pueden emitirla de nuevo? El número está en la configuración de la cuenta.\n\nGracias,\n{full}",
				},
				Replies: []string{
					"Hola, {name}:\n\nGracias por avisarnos. He revisado la factura {invoice}: la diferencia se debe a {n} usuarios añadidos a mitad del ciclo, que se cobran de forma proporcional. Si le sirve, puedo enviarle el desglose línea por línea.\n\nSaludos,\n{agent}",
					"Hola, {name}:\n\nTiene toda la razón y lo sentimos. El segundo cargo de {amount} se produjo por un reintento de pago de nuestro lado. Ya he solicitado el reembolso; normalmente aparece en su extracto en 5 a 10 días hábiles.\n\nSaludos,\n{agent}",
					"Hola, {name}:\n\nListo: he vuelto a emitir la factura {invoice} con su número fiscal y he enviado el nuevo PDF al contacto de facturación de la cuenta. La anterior queda anulada.\n\nSaludos,\n{agent}",
				},
			},
			"refund": {
				Subjects: []string{"Solicitud de reembolso del pedido {order}", "Reembolso por licencias no utilizadas", "¿Dónde está mi reembolso?"},
				Bodies: []string{
					"Hola:\n\nCancelamos {n} licencias de {product} el {date}, pero aún nos cobraron {amount} por ellas. Quisiéramos el reembolso del periodo no utilizado.\n\nSaludos,\n{full}",
					"Hola:\n\nHace dos semanas me dijeron que se había emitido un reembolso de {amount} por el pedido {order}, pero todavía no lo he recibido. ¿Pueden confirmar el estado?\n\n{full}",
				},
				Replies: []string{
					"Hola, {name}:\n\nLe confirmo que el reembolso de {amount} del pedido {order} está aprobado. Los reembolsos a tarjeta tardan de 5 a 10 días hábiles según el banco; recibirá un correo en cuanto se procese.\n\nUn saludo,\n{agent}",
					"Hola, {name}:\n\nPara tramitar el reembolso necesito los últimos cuatro dígitos de la tarjeta con la que se pagó y el nombre del titular de la cuenta. En cuanto los tenga, me encargo.\n\nUn saludo,\n{agent}",
				},
			},
			"login": {
				Subjects: []string{"No puedo iniciar sesión en {product}", "El inicio de sesión vuelve a la misma pantalla tras la actualización", "No acepta el código de verificación en dos pasos", "Cuenta bloqueada tras varios intentos"},
				Bodies: []string{
					"Hola:\n\nDesde esta mañana no puedo entrar en {product}. Escribo el correo y la contraseña y la página se recarga sin ningún mensaje de error. Lo he probado en {browser} y en una ventana privada, con el mismo resultado.\n\n{full}",
					"Hola:\n\nEl código de verificación en dos pasos siempre sale como no válido, aunque la hora del móvil es correcta. No tengo acceso y tengo una reunión con un cliente a las {time}. ¡Ayuda, por favor!\n\n{full}",
					"Hola, equipo:\n\nDespués de varios intentos fallidos se bloqueó mi cuenta. ¿Pueden desbloquearla? Mi usuario es este mismo correo.\n\nGracias,\n{full}",
				},
				Replies: []string{
					"Hola, {name}:\n\nDisculpe las molestias. Esto suele pasar cuando una cookie de sesión antigua interfiere. ¿Puede borrar las cookies de nuestro sitio en {browser} y volver a intentarlo? Si sigue fallando, envíeme una captura de la pantalla de inicio de sesión.\n\nGracias,\n{agent}",
					"Hola, {name}:\n\nHe desbloqueado su cuenta y he restablecido la verificación en dos pasos. La próxima vez que entre, le pediremos escanear un nuevo código QR con su aplicación de autenticación.\n\nGracias,\n{agent}",
				},
			},
			"password": {
				Subjects: []string{"No me llega el correo para restablecer la contraseña", "¿Cómo cambio mi contraseña?", "El enlace de restablecimiento dice que ha caducado"},
				Bodies: []string{
					"Hola:\n\nHe pedido restablecer la contraseña de {product} tres veces y el correo nunca llega. También revisé la carpeta de spam. ¿Me pueden ayudar?\n\n{full}",
					"Hola:\n\nCada vez que hago clic en el enlace de restablecimiento aparece \"este enlace ha caducado\", aunque lo abra enseguida. ¿Qué estoy haciendo mal?\n\nGracias,\n{full}",
				},
				Replies: []string{
					"Hola, {name}:\n\nVeo que el servidor de correo de su empresa bloqueó nuestros mensajes. Le he enviado un nuevo enlace desde otro remitente; es válido durante 60 minutos. Pida también a su equipo de TI que permita los mensajes de nuestro dominio.\n\nSaludos,\n{agent}",
					"Hola, {name}:\n\nLos enlaces de restablecimiento son de un solo uso, y algunos filtros de seguridad de correo los abren antes que usted; por eso caducan. Copie el enlace y péguelo en el navegador en lugar de hacer clic. ¡Dígame si funciona!\n\nSaludos,\n{agent}",
				},
			},
			"bug": {
				Subjects: []string{"Los informes de {product} muestran totales incorrectos", "La exportación a CSV falla con \"{error}\"", "El panel aparece en blanco desde ayer", "Las fechas salen con un día de diferencia en {product}"},
				Bodies: []string{
					"Hola:\n\nEl informe mensual de {product} muestra {amount} de ingresos, pero la suma de las filas da otra cifra. Empezó después de la actualización del {date}. Pasos: abrir Informes, elegir el mes pasado y comparar el total con las filas.\n\n{full}",
					"Hola:\n\nCuando exporto más de {n} filas a CSV, la descarga se detiene con el error \"{error}\". Las exportaciones más pequeñas funcionan. Esto nos está bloqueando el cierre de mes.\n\nSaludos,\n{full}",
					"Hola:\n\nDesde ayer el panel de {product} aparece completamente en blanco para mí y para dos compañeros, en {browser}. El resto de la aplicación funciona.\n\n{full}",
					"Hola:\n\nDesde la actualización del {date}, todas las fechas que introducimos en {product} se guardan con un día menos. Estamos en una zona horaria distinta de la de nuestra sede, por si importa. Está confundiendo a todo el equipo.\n\n{full}",
				},
				Replies: []string{
					"Hola, {name}:\n\nGracias por los pasos tan detallados; he podido reproducir el problema. Lo he pasado a nuestro equipo de desarrollo con su ejemplo y le aviso en cuanto la corrección esté programada.\n\nSaludos,\n{agent}",
					"Hola, {name}:\n\nGracias por informarnos. ¿Podría enviarme la hora exacta en que ocurrió y, si es posible, lo que muestra la consola del navegador? Eso ayudará mucho a nuestros desarrolladores a encontrar la causa.\n\nSaludos,\n{agent}",
				},
			},
			"shipping": {
				Subjects: []string{"El pedido {order} no ha llegado", "El seguimiento del pedido {order} no avanza desde hace una semana", "Dispositivos dañados en el pedido {order}"},
				Bodies: []string{
					"Hola:\n\nPedimos {n} dispositivos FleetTrack (pedido {order}) el {date} y todavía no han llegado. El seguimiento de {carrier} dice \"en tránsito\" desde la semana pasada.\n\nGracias,\n{full}",
					"Hola:\n\nEl pedido {order} llegó hoy, pero {n} dispositivos tienen la carcasa rota; está claro que la caja se cayó. ¿Cómo conseguimos el reemplazo?\n\nSaludos,\n{full}",
				},
				Replies: []string{
					"Hola, {name}:\n\nHe abierto una investigación con {carrier} sobre el pedido {order}. Si el paquete no aparece en 48 horas, le enviaremos otro sin coste.\n\nUn saludo,\n{agent}",
					"Hola, {name}:\n\nLamento que el pedido llegara dañado. ¿Puede enviarme una foto de los dispositivos y de la caja? En cuanto la tenga, le mando los reemplazos por envío urgente.\n\nUn saludo,\n{agent}",
				},
			},
			"feature": {
				Subjects: []string{"Sugerencia: modo oscuro", "¿Podrían añadir exportación a Excel?", "Sugerencia: edición masiva en {product}", "Inicio de sesión único (SSO) con Microsoft"},
				Bodies: []string{
					"Hola:\n\nUsamos {product} todo el día y nos encantaría un modo oscuro, o al menos un tema con más contraste. ¿Está previsto?\n\nGracias,\n{full}",
					"Hola:\n\nNos ahorraría horas cada semana poder editar {n} registros a la vez en lugar de uno por uno. ¿Hay planes para una edición masiva?\n\nSaludos,\n{full}",
					"Hola:\n\nNuestro equipo de finanzas copia a mano los datos de {product} a Excel cada semana. Una exportación directa a .xlsx nos ahorraría mucho tiempo. ¿Podrían añadirla?\n\nGracias,\n{full}",
					"Hola:\n\nNuestra política de TI exige ahora inicio de sesión único en todas las herramientas. ¿Admiten SAML u OpenID Connect con Microsoft Entra ID? Sin eso no podemos renovar para nuestros {seats} usuarios.\n\n{full}",
				},
				Replies: []string{
					"Hola, {name}:\n\n¡Gracias por la sugerencia! He añadido su voto a la petición en nuestro tablero de producto; el equipo revisa las más votadas cada trimestre. Le aviso si entra en la planificación.\n\nSaludos,\n{agent}",
					"Hola, {name}:\n\nBuenas noticias: ya está previsto para la próxima versión de {product}. Mientras tanto, la pantalla de importación/exportación sirve como alternativa para cambios grandes.\n\nSaludos,\n{agent}",
				},
			},
			"outage": {
				Subjects: []string{"{product} no funciona", "URGENTE: sin acceso a {product}", "Error {error} en todas las páginas"},
				Bodies: []string{
					"Hola:\n\n{product} no carga desde hace {n} minutos; todas las páginas muestran \"{error}\". Todo el equipo está parado. ¿Tienen alguna incidencia?\n\n{full}",
					"Hola:\n\nNadie en la oficina puede acceder a {product} desde las {time}. Por favor, trátenlo como urgente, tenemos clientes esperando.\n\n{full}",
				},
				Replies: []string{
					"Hola, {name}:\n\nYa conocemos el problema y nuestros ingenieros están trabajando en él ahora mismo. Puede seguir las novedades en nuestra página de estado. Le escribo en cuanto se restablezca el servicio.\n\nDisculpe las molestias,\n{agent}",
					"Hola, {name}:\n\nEl servicio se ha restablecido: una actualización fallida de la base de datos provocó los errores a partir de las {time}. Todo debería funcionar con normalidad; avíseme si sigue viendo algún problema.\n\nDisculpe las molestias,\n{agent}",
				},
			},
			"api": {
				Subjects: []string{"La API devuelve {error} en {endpoint}", "Los webhooks dejaron de llegar", "Límite de peticiones demasiado bajo para nuestra integración", "Token de API rechazado"},
				Bodies: []string{
					"Hola:\n\nNuestra integración llama a {endpoint} y desde el {date} aproximadamente una de cada diez peticiones falla con {error}. No hemos cambiado nada. Tenemos los ID de las peticiones si los necesitan.\n\n{full}",
					"Hola:\n\nDejamos de recibir los webhooks de pedidos nuevos ayer sobre las {time}. Nuestro endpoint está activo y responde 200. ¿Pueden revisar el registro de envíos?\n\n{full}",
					"Hola:\n\nNuestra sincronización nocturna envía unas {n} peticiones y recibe 429 Too Many Requests a los pocos minutos. ¿Se puede aumentar el límite de nuestra cuenta?\n\n{full}",
					"Hola:\n\nDesde esta mañana todas las llamadas con nuestro token de API devuelven 401 Unauthorized. No hemos cambiado el token. ¿Ha cambiado algo por su parte?\n\n{full}",
				},
				Replies: []string{
					"Hola, {name}:\n\nGracias por el aviso. He encontrado las peticiones fallidas en nuestros registros: llegaban a un servidor mal configurado tras un despliegue. Ya lo hemos retirado; ¿puede confirmar que los errores han parado?\n\nSaludos,\n{agent}",
					"Hola, {name}:\n\nSu cuenta tiene el límite estándar de 600 peticiones por minuto. He pedido al equipo que lo aumente para su token; mientras tanto, reintentar respetando la cabecera Retry-After evita perder peticiones.\n\nSaludos,\n{agent}",
					"Hola, {name}:\n\nNuestro registro muestra que su endpoint agotó el tiempo de espera varias veces seguidas ayer, así que los webhooks se pausaron automáticamente. Los he reactivado y he reenviado los eventos que se perdieron.\n\nSaludos,\n{agent}",
					"Hola, {name}:\n\nEl token se revocó automáticamente porque apareció en un repositorio público. Cree uno nuevo en Configuración → Tokens de API y guárdelo en un gestor de secretos.\n\nSaludos,\n{agent}",
				},
			},
			"cancel": {
				Subjects: []string{"Cancelación de la suscripción", "Quiero dar de baja {product}", "¿Cómo cerramos nuestra cuenta?"},
				Bodies: []string{
					"Hola:\n\nHemos decidido dejar de usar {product} al final de este periodo de facturación. Por favor, cancelen nuestra suscripción {plan} y confirmen que no habrá más cargos.\n\nSaludos,\n{full}",
					"Hola:\n\nNuestra empresa se pasa a otra herramienta, así que queremos cerrar la cuenta. ¿Podemos exportar antes todos los datos?\n\n{full}",
				},
				Replies: []string{
					"Hola, {name}:\n\nLamentamos que se vayan. He programado la cancelación para el final del periodo actual: mantienen el acceso hasta entonces y no habrá más cargos. Pueden exportar los datos desde Configuración → Exportar en cualquier momento antes de esa fecha.\n\nUn saludo,\n{agent}",
					"Hola, {name}:\n\nAntes de cancelar: ¿les ayudaría un plan más pequeño? Puedo pasarles a Starter con {seats} usuarios a mitad de precio. Si aun así prefieren cancelar, respondan y me encargo.\n\nUn saludo,\n{agent}",
				},
			},
			"upgrade": {
				Subjects: []string{"Cambio al plan {plan}", "Añadir {n} usuarios a nuestra cuenta", "Presupuesto del plan {plan}"},
				Bodies: []string{
					"Hola:\n\nQueremos pasar al plan {plan} y añadir {n} usuarios. ¿Nos pueden enviar un presupuesto en nuestra moneda?\n\nGracias,\n{full}",
					"Hola:\n\n¿Cómo se calcula el precio si cambiamos al plan {plan} a mitad de mes? Ahora tenemos {seats} usuarios.\n\n{full}",
				},
				Replies: []string{
					"Hola, {name}:\n\n¡Estupendo! El plan {plan} con {seats} usuarios sale por {amount} al mes; si cambian a mitad de ciclo, solo pagan la diferencia de los días restantes. Puedo aplicarlo hoy mismo si me lo confirman.\n\nSaludos,\n{agent}",
					"Hola, {name}:\n\nYa he cambiado su cuenta al plan {plan} y he añadido los usuarios. El importe proporcional aparecerá en la próxima factura.\n\nSaludos,\n{agent}",
				},
			},
		},
		FollowUps: []string{
			"Hola, {agent}:\n\nGracias por la respuesta tan rápida. Lo he probado, pero el problema sigue. ¿Puedo hacer algo más?\n\n{full}",
			"Hola:\n\n¿Hay novedades? Esto ya está afectando a nuestro trabajo.\n\n{full}",
			"Hola:\n\nAquí tiene la información que me pidió. El problema volvió a ocurrir hoy a las {time}.\n\n{full}",
			"Gracias, {agent}. Una pregunta más: ¿esto afecta también a los demás usuarios de la cuenta?\n\n{full}",
		},
		Nudges: []string{
			"Hola:\n\nSolo quería hacer seguimiento de mi mensaje anterior: ¿alguien lo está revisando?\n\n{full}",
			"Hola:\n\nPerdón por insistir, pero esto se está volviendo urgente para nosotros. ¿Alguna novedad?\n\n{full}",
		},
		Reopens: []string{
			"Hola, {agent}:\n\nLo siento, tengo que reabrirlo: volvió a pasar esta mañana.\n\n{full}",
			"Hola:\n\nEl problema ha vuelto desde ayer, igual que antes. ¿Pueden revisarlo otra vez?\n\n{full}",
			"Hola, {agent}:\n\nSiento volver sobre esto, pero este mes nos han vuelto a cobrar un importe incorrecto.\n\n{full}",
		},
		Asks: []string{
			"Hola, {name}:\n\n¿Podría enviarme algunos detalles más (una captura de pantalla y la hora aproximada en que ocurrió)? Con eso lo reviso enseguida.\n\n{agent}",
			"Hola, {name}:\n\nGracias por su paciencia. Antes de seguir, ¿puede confirmarme qué usuarios están afectados y desde cuándo?\n\n{agent}",
			"Hola, {name}:\n\nPara revisarlo necesito el número de factura y el correo del titular de la cuenta. ¿Me los puede enviar?\n\n{agent}",
		},
		Solves: []string{
			"Hola, {name}:\n\nMe alegra que lo hayamos resuelto. Marco este ticket como resuelto; si necesita algo más, solo tiene que responder.\n\n{agent}",
			"Hola, {name}:\n\nLa corrección ya está publicada y la he comprobado en su cuenta. Marco la solicitud como resuelta; responda aquí si el problema vuelve.\n\n{agent}",
			"Hola, {name}:\n\nTodo listo por nuestra parte. ¡Gracias por su paciencia!\n\n{agent}",
		},
		Notes: []string{
			"Revisé los registros: los errores empezaron justo después del despliegue del {date}.",
			"Cliente en el plan {plan}, {seats} usuarios. Renovación próxima, tratar con cuidado.",
			"Reproducido en preproducción con {browser}. Abrí una incidencia para ingeniería y la enlacé aquí.",
			"Otro cliente reportó lo mismo esta semana; probablemente no es cosa de la cuenta.",
			"Llamé al cliente y confirmó los datos de arriba. Esperando a su equipo de TI.",
			"{agent2}, ¿puedes revisar el historial de cobros antes de responder?",
		},
		Holds: []string{
			"Escalado al proveedor de pagos; esperando su respuesta antes de contestar al cliente.",
			"Esperando la corrección del proveedor, prevista para la semana que viene. Queda en espera hasta entonces.",
		},
		Escalations: []string{
			"Escalo a Técnico: parece un bug, no un problema de configuración.",
			"Paso el caso a Técnico, no encontré nada raro en la configuración de la cuenta.",
		},
	},

	"he": {
		Topics: map[string]topicText{
			"invoice": {
				Subjects: []string{"חשבונית {invoice} שגויה", "חויבנו פעמיים על {product} החודש", "שאלה לגבי החשבונית האחרונה", "מספר עוסק חסר בחשבונית {invoice}"},
				Bodies: []string{
					"שלום,\n\nבחשבונית {invoice} על {product} מופיע סכום של {amount}, אבל אנחנו בתוכנית {plan} עם {seats} משתמשים וציפינו לסכום נמוך יותר. תוכלו לבדוק מה קרה?\n\nתודה,\n{full}",
					"שלום,\n\nחויבנו פעמיים על {product} החודש: {amount} בתאריך {date} ואותו סכום שוב יומיים אחר כך. נבקש לזכות אותנו על החיוב הכפול.\n\nבברכה,\n{full}",
					"היי,\n\nמחלקת הנהלת החשבונות שלנו צריכה שמספר העוסק שלנו יופיע בחשבונית {invoice}. אפשר להפיק אותה מחדש? המספר מופיע בהגדרות החשבון.\n\nתודה רבה,\n{full}",
				},
				Replies: []string{
					"שלום {name},\n\nתודה שעדכנתם. בדקתי את חשבונית {invoice}: ההפרש נובע מ-{n} משתמשים שנוספו באמצע מחזור החיוב ומחויבים באופן יחסי. אשמח לשלוח פירוט מלא שורה אחר שורה.\n\nבברכה,\n{agent}",
					"שלום {name},\n\nאתם צודקים, ואנחנו מתנצלים. החיוב השני של {amount} נגרם מניסיון חיוב חוזר אצלנו. כבר ביקשתי זיכוי; בדרך כלל הוא מופיע בפירוט החיובים תוך 5 עד 10 ימי עסקים.\n\nבברכה,\n{agent}",
					"שלום {name},\n\nבוצע: הפקתי מחדש את חשבונית {invoice} עם מספר העוסק ושלחתי את קובץ ה-PDF החדש לאיש הקשר לחיובים בחשבון. החשבונית הקודמת בוטלה.\n\nבברכה,\n{agent}",
				},
			},
			"refund": {
				Subjects: []string{"בקשת החזר כספי להזמנה {order}", "החזר על רישיונות שלא נוצלו", "איפה ההחזר שלי?"},
				Bodies: []string{
					"שלום,\n\nביטלנו {n} רישיונות של {product} בתאריך {date}, אבל עדיין חויבנו עליהם {amount}. נבקש החזר על התקופה שלא נוצלה.\n\nבברכה,\n{full}",
					"שלום,\n\nלפני שבועיים נאמר לי שהחזר של {amount} על הזמנה {order} בוצע, אבל עד היום לא קיבלתי אותו. תוכלו לבדוק מה הסטטוס?\n\n{full}",
				},
				Replies: []string{
					"שלום {name},\n\nההחזר של {amount} על הזמנה {order} אושר. זיכוי בכרטיס אשראי לוקח 5 עד 10 ימי עסקים, תלוי בבנק; תקבלו הודעה במייל ברגע שהוא יעובד.\n\nבברכה,\n{agent}",
					"שלום {name},\n\nכדי לטפל בהחזר אצטרך את ארבע הספרות האחרונות של הכרטיס ששימש לתשלום ואת שם בעל החשבון. ברגע שאקבל אותם, אטפל בזה מיד.\n\nבברכה,\n{agent}",
				},
			},
			"login": {
				Subjects: []string{"אין אפשרות להתחבר ל-{product}", "לולאת התחברות אחרי העדכון האחרון", "קוד האימות הדו-שלבי לא מתקבל", "החשבון ננעל אחרי כמה ניסיונות"},
				Bodies: []string{
					"שלום,\n\nמהבוקר אין לי אפשרות להתחבר ל-{product}. הזנתי מייל וסיסמה והדף פשוט נטען מחדש בלי שום הודעת שגיאה. ניסיתי ב-{browser} וגם בחלון פרטי, עם אותה תוצאה.\n\n{full}",
					"היי,\n\nקוד האימות הדו-שלבי תמיד נדחה כלא תקין, למרות שהשעה בטלפון נכונה. אין לי גישה בכלל ויש לי פגישה עם לקוח ב-{time}. דחוף!\n\n{full}",
					"שלום לצוות,\n\nאחרי כמה ניסיונות כושלים החשבון שלי ננעל. תוכלו לשחרר אותו? שם המשתמש הוא כתובת המייל הזו.\n\nתודה,\n{full}",
				},
				Replies: []string{
					"שלום {name},\n\nמצטערים על אי הנוחות. זה קורה בדרך כלל כשעוגייה ישנה של התחברות מפריעה. תוכלו למחוק את העוגיות של האתר שלנו ב-{browser} ולנסות שוב? אם זה עדיין לא עובד, שלחו לי צילום מסך של דף ההתחברות.\n\nתודה,\n{agent}",
					"שלום {name},\n\nשחררתי את הנעילה ואיפסתי את האימות הדו-שלבי. בהתחברות הבאה תתבקשו לסרוק קוד QR חדש באפליקציית האימות.\n\nתודה,\n{agent}",
				},
			},
			"password": {
				Subjects: []string{"המייל לאיפוס סיסמה לא מגיע", "איך מאפסים סיסמה?", "קישור האיפוס אומר שפג תוקפו"},
				Bodies: []string{
					"שלום,\n\nביקשתי לאפס את הסיסמה ל-{product} שלוש פעמים, והמייל לא מגיע. בדקתי גם בתיקיית הספאם. תוכלו לעזור?\n\n{full}",
					"היי,\n\nבכל פעם שלחצתי על קישור האיפוס הופיעה ההודעה \"פג תוקף הקישור\", גם כשלחצתי מיד. מה הבעיה?\n\nתודה,\n{full}",
				},
				Replies: []string{
					"שלום {name},\n\nראיתי ששרת הדואר של החברה שלכם חסם את ההודעות שלנו. שלחתי קישור איפוס חדש משולח אחר; הוא בתוקף ל-60 דקות. כדאי גם לבקש מצוות ה-IT לאשר הודעות מהדומיין שלנו.\n\nבהצלחה,\n{agent}",
					"שלום {name},\n\nקישורי איפוס הם לשימוש חד-פעמי, וחלק ממסנני האבטחה של הדואר פותחים אותם לפניכם, ולכן התוקף פג. העתיקו את הקישור והדביקו אותו בדפדפן במקום ללחוץ עליו. עדכנו אותי אם זה עבד!\n\nבהצלחה,\n{agent}",
				},
			},
			"bug": {
				Subjects: []string{"הדוחות ב-{product} מציגים סכומים שגויים", "הייצוא ל-CSV נכשל עם \"{error}\"", "לוח הבקרה ריק מאתמול", "התאריכים ב-{product} זזים ביום אחד"},
				Bodies: []string{
					"שלום,\n\nהדוח החודשי ב-{product} מציג הכנסות של {amount}, אבל סכום השורות יוצא שונה. זה התחיל אחרי העדכון בתאריך {date}. שלבים: לפתוח את הדוחות, לבחור את החודש הקודם ולהשוות את הסך הכול לשורות.\n\n{full}",
					"שלום,\n\nבייצוא של יותר מ-{n} שורות ל-CSV, ההורדה נעצרת עם השגיאה \"{error}\". ייצוא קטן יותר עובד. זה חוסם לנו את סגירת החודש.\n\nבברכה,\n{full}",
					"היי,\n\nמאתמול לוח הבקרה ב-{product} ריק לגמרי אצלי ואצל שני עמיתים, ב-{browser}. שאר המערכת עובדת.\n\n{full}",
					"שלום,\n\nמאז העדכון בתאריך {date}, כל תאריך שאנחנו מזינים ב-{product} נשמר יום אחד מוקדם יותר. אנחנו באזור זמן שונה מזה של המטה, אם זה משנה. זה מבלבל את כל הצוות.\n\n{full}",
				},
				Replies: []string{
					"שלום {name},\n\nתודה על השלבים המפורטים, הצלחתי לשחזר את הבעיה. העברתי אותה לצוות הפיתוח עם הדוגמה שלכם ואעדכן ברגע שיתוזמן תיקון.\n\nבברכה,\n{agent}",
					"שלום {name},\n\nתודה על הדיווח. תוכלו לשלוח לי את השעה המדויקת שבה זה קרה, ואם אפשר גם את הפלט של קונסולת הדפדפן? זה יעזור למפתחים שלנו למצוא את הסיבה הרבה יותר מהר.\n\nבברכה,\n{agent}",
				},
			},
			"shipping": {
				Subjects: []string{"הזמנה {order} עדיין לא הגיעה", "המעקב של הזמנה {order} תקוע כבר שבוע", "התקבלו מכשירים פגומים בהזמנה {order}"},
				Bodies: []string{
					"שלום,\n\nהזמנו {n} מכשירי FleetTrack (הזמנה {order}) בתאריך {date} והם עדיין לא הגיעו. דף המעקב של {carrier} מראה \"בדרך\" מאז השבוע שעבר.\n\nתודה,\n{full}",
					"שלום,\n\nהזמנה {order} הגיעה היום, אבל ל-{n} מכשירים יש מארז סדוק; ברור שהקופסה נפלה. איך מקבלים החלפה?\n\nבברכה,\n{full}",
				},
				Replies: []string{
					"שלום {name},\n\nפתחתי בירור מול {carrier} לגבי הזמנה {order}. אם החבילה לא תאותר תוך 48 שעות, נשלח חדשה ללא עלות.\n\nכל טוב,\n{agent}",
					"שלום {name},\n\nמצטערים שההזמנה הגיעה פגומה. תוכלו לשלוח תמונה של המכשירים ושל הקופסה? ברגע שאקבל אותה, אשלח מכשירים חלופיים במשלוח אקספרס.\n\nכל טוב,\n{agent}",
				},
			},
			"feature": {
				Subjects: []string{"בקשה לפיצ'ר: מצב כהה", "אפשר להוסיף ייצוא לאקסל?", "הצעה: עריכה מרובה ב-{product}", "תמיכה בכניסה יחידה (SSO)"},
				Bodies: []string{
					"שלום,\n\nאנחנו משתמשים ב-{product} כל היום ונשמח למצב כהה, או לפחות לערכת נושא עם ניגודיות גבוהה יותר. זה מתוכנן?\n\nתודה,\n{full}",
					"היי,\n\nזה יחסוך לצוות שלנו שעות בכל שבוע אם נוכל לערוך {n} רשומות בבת אחת ולא אחת אחת. יש תוכניות לעריכה מרובה?\n\n{full}",
					"היי,\n\nצוות הכספים שלנו מעתיק כל שבוע נתונים מ-{product} לאקסל באופן ידני. ייצוא ישיר ל-xlsx יחסוך הרבה זמן. תוכלו להוסיף את זה?\n\nתודה,\n{full}",
					"שלום,\n\nמדיניות ה-IT שלנו מחייבת עכשיו כניסה יחידה בכל הכלים. יש לכם תמיכה ב-SAML או ב-OpenID Connect? בלי זה לא נוכל לחדש את המנוי ל-{seats} המשתמשים שלנו.\n\n{full}",
				},
				Replies: []string{
					"שלום {name},\n\nתודה על ההצעה! הוספתי את הקול שלכם לבקשה בלוח המוצר; הצוות עובר על הבקשות הפופולריות בכל רבעון. אעדכן אם זה ייכנס לתכנון.\n\nבברכה,\n{agent}",
					"שלום {name},\n\nחדשות טובות: זה כבר מתוכנן לגרסה הבאה של {product}. בינתיים אפשר להשתמש במסך הייבוא/ייצוא כפתרון עוקף לשינויים גדולים.\n\nבברכה,\n{agent}",
				},
			},
			"outage": {
				Subjects: []string{"{product} לא עובד", "דחוף: אין גישה ל-{product}", "שגיאת {error} בכל הדפים"},
				Bodies: []string{
					"שלום,\n\n{product} לא נטען כבר {n} דקות; בכל הדפים מופיע \"{error}\". כל הצוות תקוע. יש תקלה אצלכם?\n\n{full}",
					"היי,\n\nאף אחד במשרד לא מצליח להיכנס ל-{product} מאז {time}. בבקשה לטפל בזה בדחיפות, יש לנו לקוחות שמחכים.\n\n{full}",
				},
				Replies: []string{
					"שלום {name},\n\nאנחנו מודעים לתקלה והמהנדסים שלנו עובדים עליה ממש עכשיו. אפשר לעקוב אחרי העדכונים בדף הסטטוס שלנו. אכתוב שוב ברגע שהשירות יחזור לפעול.\n\nמתנצלים על ההפרעה,\n{agent}",
					"שלום {name},\n\nהשירות חזר לפעול: שדרוג מסד נתונים שנכשל גרם לשגיאות החל מ-{time}. הכול אמור לעבוד כרגיל עכשיו; עדכנו אותי אם אתם עדיין רואים בעיות.\n\nמתנצלים על ההפרעה,\n{agent}",
				},
			},
			"api": {
				Subjects: []string{"ה-API מחזיר {error} ב-{endpoint}", "ה-webhooks הפסיקו להגיע", "מגבלת הבקשות נמוכה מדי לאינטגרציה שלנו", "טוקן ה-API נדחה"},
				Bodies: []string{
					"שלום,\n\nהאינטגרציה שלנו קוראת ל-{endpoint}, ומאז {date} בערך אחת מכל עשר בקשות נכשלת עם {error}. לא שינינו כלום אצלנו. יש לנו את מזהי הבקשות אם תצטרכו.\n\n{full}",
					"היי,\n\nהפסקנו לקבל webhooks על הזמנות חדשות אתמול בסביבות {time}. ה-endpoint אצלנו פעיל ומחזיר 200. תוכלו לבדוק את יומן השליחות?\n\n{full}",
					"שלום,\n\nהסנכרון הלילי שלנו שולח כ-{n} בקשות ומקבל 429 Too Many Requests אחרי כמה דקות. אפשר להעלות את המגבלה לחשבון שלנו?\n\n{full}",
					"שלום,\n\nמהבוקר כל קריאה עם טוקן ה-API שלנו מחזירה 401 Unauthorized. לא שינינו את הטוקן. השתנה משהו אצלכם?\n\n{full}",
				},
				Replies: []string{
					"שלום {name},\n\nתודה על הדיווח. מצאתי את הבקשות שנכשלו ביומנים שלנו: הן הגיעו לשרת שהוגדר לא נכון אחרי פריסה. הוצאנו אותו מהשירות; תוכלו לאשר שהשגיאות הפסיקו?\n\nבברכה,\n{agent}",
					"שלום {name},\n\nהחשבון שלכם נמצא במגבלה הרגילה של 600 בקשות לדקה. ביקשתי מהצוות להעלות אותה לטוקן שלכם; בינתיים, ניסיון חוזר לפי הכותרת Retry-After ימנע אובדן בקשות.\n\nבברכה,\n{agent}",
					"שלום {name},\n\nביומן השליחות שלנו רואים שה-endpoint שלכם לא הגיב בזמן כמה פעמים ברצף אתמול, ולכן ה-webhooks הושהו אוטומטית. הפעלתי אותם מחדש ושלחתי שוב את האירועים שפספסתם.\n\nבברכה,\n{agent}",
					"שלום {name},\n\nהטוקן בוטל אוטומטית כי הוא הופיע במאגר קוד ציבורי. צרו טוקן חדש בהגדרות ← טוקנים של API ושמרו אותו בכספת סודות.\n\nבברכה,\n{agent}",
				},
			},
			"cancel": {
				Subjects: []string{"ביטול המנוי", "בקשה לבטל את {product}", "איך סוגרים את החשבון?"},
				Bodies: []string{
					"שלום,\n\nהחלטנו להפסיק להשתמש ב-{product} בסוף תקופת החיוב הנוכחית. נבקש לבטל את מנוי ה-{plan} שלנו ולאשר שלא יהיו חיובים נוספים.\n\nבברכה,\n{full}",
					"היי,\n\nהחברה שלנו עוברת לכלי אחר, ולכן נרצה לסגור את החשבון. אפשר לייצא קודם את כל הנתונים?\n\n{full}",
				},
				Replies: []string{
					"שלום {name},\n\nחבל לנו שאתם עוזבים. קבעתי את הביטול לסוף התקופה הנוכחית: הגישה נשארת עד אז ולא יהיו חיובים נוספים. אפשר לייצא את הנתונים מהגדרות ← ייצוא בכל זמן עד אותו תאריך.\n\nכל טוב,\n{agent}",
					"שלום {name},\n\nלפני הביטול: אולי תוכנית קטנה יותר תתאים? אפשר לעבור ל-Starter עם {seats} משתמשים בחצי מחיר. אם עדיין תעדיפו לבטל, פשוט השיבו ואטפל בזה.\n\nכל טוב,\n{agent}",
				},
			},
			"upgrade": {
				Subjects: []string{"שדרוג לתוכנית {plan}", "הוספת {n} משתמשים לחשבון", "הצעת מחיר לתוכנית {plan}"},
				Bodies: []string{
					"שלום,\n\nנרצה לשדרג לתוכנית {plan} ולהוסיף {n} משתמשים. תוכלו לשלוח הצעת מחיר בשקלים?\n\nתודה,\n{full}",
					"היי,\n\nאיך מחושב המחיר אם נשדרג לתוכנית {plan} באמצע החודש? כרגע יש לנו {seats} משתמשים.\n\n{full}",
				},
				Replies: []string{
					"שלום {name},\n\nמעולה! תוכנית {plan} עם {seats} משתמשים עולה {amount} לחודש; בשדרוג באמצע המחזור משלמים רק את ההפרש על הימים שנותרו. אפשר להחיל את השינוי היום אם תאשרו.\n\nבברכה,\n{agent}",
					"שלום {name},\n\nשדרגתי את החשבון לתוכנית {plan} והוספתי את המשתמשים. הסכום היחסי יופיע בחשבונית הבאה.\n\nבברכה,\n{agent}",
				},
			},
		},
		FollowUps: []string{
			"היי {agent},\n\nתודה על התשובה המהירה. ניסיתי את זה, אבל הבעיה עדיין קיימת. יש עוד משהו שאפשר לעשות?\n\n{full}",
			"שלום,\n\nיש חדש? זה כבר מתחיל להשפיע על העבודה שלנו.\n\n{full}",
			"שלום,\n\nהנה המידע שביקשת. הבעיה חזרה היום ב-{time}.\n\n{full}",
			"תודה {agent}. עוד שאלה אחת: זה משפיע גם על שאר המשתמשים בחשבון?\n\n{full}",
		},
		Nudges: []string{
			"שלום,\n\nרציתי לוודא שההודעה הקודמת שלי התקבלה. מישהו מטפל בזה?\n\n{full}",
			"היי,\n\nסליחה על הנדנוד, אבל זה נהיה דחוף אצלנו. יש עדכון?\n\n{full}",
		},
		Reopens: []string{
			"היי {agent},\n\nמצטערים, צריך לפתוח את זה מחדש: זה קרה שוב הבוקר.\n\n{full}",
			"שלום,\n\nהבעיה חזרה מאתמול, בדיוק כמו קודם. תוכלו לבדוק שוב?\n\n{full}",
			"היי {agent},\n\nמצטערים לחזור לזה, אבל גם החודש חויבנו בסכום שגוי.\n\n{full}",
		},
		Asks: []string{
			"שלום {name},\n\nתוכלו לשלוח עוד כמה פרטים (צילום מסך והשעה המשוערת שבה זה קרה)? כך אוכל לבדוק את זה מיד.\n\n{agent}",
			"שלום {name},\n\nתודה על הסבלנות. לפני שנמשיך, תוכלו לאשר אילו משתמשים מושפעים וממתי?\n\n{agent}",
			"שלום {name},\n\nכדי לבדוק את זה אצטרך את מספר החשבונית ואת כתובת המייל של בעל החשבון. תוכלו לשלוח?\n\n{agent}",
		},
		Solves: []string{
			"שלום {name},\n\nשמחים שהצלחנו לפתור את זה. הפנייה תסומן כפתורה; אם יצוץ עוד משהו, פשוט השיבו להודעה הזו.\n\n{agent}",
			"שלום {name},\n\nהתיקון עלה לאוויר ווידאתי אותו בחשבון שלכם. הפנייה מסומנת כפתורה; השיבו כאן אם הבעיה תחזור.\n\n{agent}",
			"שלום {name},\n\nהכול מוכן מהצד שלנו. תודה על הסבלנות!\n\n{agent}",
		},
		Notes: []string{
			"בדקתי את הלוגים: השגיאות התחילו מיד אחרי הפריסה בתאריך {date}.",
			"לקוח בתוכנית {plan}, {seats} משתמשים. החידוש מתקרב, לטפל בזהירות.",
			"שוחזר בסביבת הבדיקות ב-{browser}. פתחתי משימה לצוות הפיתוח וקישרתי אותה כאן.",
			"לקוח נוסף דיווח על אותה בעיה השבוע, כנראה שזה לא משהו ספציפי לחשבון.",
			"דיברתי עם הלקוח בטלפון, הפרטים למעלה אושרו. מחכים לצוות ה-IT שלהם.",
			"{agent2}, אפשר לבדוק את היסטוריית החיובים לפני שעונים?",
		},
		Holds: []string{
			"הועבר לספק הסליקה; מחכים לתשובה שלהם לפני שעונים ללקוח.",
			"מחכים לתיקון מהספק, צפוי בשבוע הבא. הפנייה בהמתנה עד אז.",
		},
		Escalations: []string{
			"הועבר לצוות הטכני: נראה כמו באג ולא בעיית הגדרות.",
			"העברה לצוות הטכני, לא מצאתי שום בעיה בהגדרות החשבון.",
		},
	},
}
