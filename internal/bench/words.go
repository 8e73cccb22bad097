package bench

import "strings"

// The vocabularies the generator draws from: before the "|" the function
// words, roughly by frequency (drawn often, with a Zipf-like skew); after it
// the content words, of which each ticket uses a handful (its topic: the
// words of its subject and a few more), as real help-desk mail does. So a
// content word such as "invoice" turns up in a few percent of the tickets,
// not in all of them. Three languages, so search has real mixed vocabulary.

var wordsEN = strings.Fields(`
the to and a i of is it for in you that my we this on have with be not can
your are our but please as at was from if do me an so all will it's there
has just when what would been they get out about can't any no one up some
|
help thanks issue problem account order invoice payment error still again
working work trying tried need know time see today since now after before
again hello hi thank regards best team support customer access login
password reset email address could should also here because other new
update updated updating page button click clicked screen app application
website browser chrome firefox safari mobile phone android iphone desktop
version latest install installed installation download uploaded upload
file files attachment attached report reports export import data sync
settings setting option options profile user users admin permission
permissions role billing charged twice refund subscription plan upgrade
downgrade cancel cancelled cancellation renewal card credit expired
declined receipt tax vat address shipping delivery delivered package
tracking number missing damaged return exchange replacement warranty
product item items stock available price discount coupon code promo
message notification notifications alert alerts inbox spam blocked
blocking locked unlock verify verification two factor authentication
sms token session timeout slow loading crash crashes crashed freeze
frozen blank white black broken bug feature request integration api key
webhook calendar meeting schedule appointment booking reservation
confirmed confirmation pending waiting response reply urgent asap
yesterday morning afternoon evening week month weekend monday tuesday
wednesday thursday friday manager colleague company business office
store warehouse server network wifi connection disconnected offline
online printer scanner device devices laptop tablet monitor keyboard
screenshot steps reproduce happened happens expected instead shows shown
message says saying showing displayed cannot unable impossible
frustrating disappointed appreciate quickly possible soon detail details
information provide provided attached below above following contract
license seats team members invite invited onboarding migration migrated
backup restore deleted delete removed accidentally recover history audit
language translation timezone currency region country`)

var wordsPT = strings.Fields(`
o a de que e do da em um para é com não uma os no se na por mais as dos
como mas foi ao ele das tem à seu sua ou ser quando muito há nos já está
eu também só pelo pela até isso ela entre era depois sem mesmo aos ter
seus quem nas me esse eles estão você tinha foram essa num nem suas meu
às minha têm numa pelos elas havia seja qual será nós tenho lhe deles
|
olá bom dia boa tarde noite obrigado obrigada atenciosamente prezados
equipe suporte atendimento cliente conta pedido fatura boleto pagamento
pagar paguei cobrança cobrado duas vezes reembolso estorno assinatura
plano cancelar cancelamento renovação cartão crédito débito vencido
recusado nota fiscal endereço entrega entregue pacote rastreamento
código produto produtos troca devolução garantia defeito quebrado
danificado estoque preço desconto cupom promoção senha acesso acessar
login entrar consigo conseguir consegui tentei tentando erro problema
mensagem aparece aparecendo tela branca página botão clicar aplicativo
site navegador celular computador versão atualização atualizar instalar
baixar arquivo arquivos anexo anexado relatório relatórios exportar
importar dados sincronizar configurações perfil usuário usuários
administrador permissão permissões notificação notificações email
bloqueado bloqueada desbloquear verificação autenticação sessão lento
lentidão travando travou caiu sistema fora ar urgente hoje ontem amanhã
semana mês segunda terça quarta quinta sexta gerente empresa loja
escritório servidor rede internet conexão impressora dispositivo
funciona funcionando funcionou ainda novamente resolver resolvido
solução ajuda ajudar preciso precisamos possível rápido prazo aguardo
retorno resposta responder informação informações detalhes seguinte
abaixo acima contrato licença migração backup restaurar apagado
excluído recuperar histórico idioma moeda região não consigo acessar
minha conta`)

var wordsES = strings.Fields(`
el la de que y a en un ser se no haber por con su para como estar tener
le lo todo pero más hacer o poder decir este ir otro ese si me ya ver
porque dar cuando él muy sin vez mucho saber qué sobre mi alguno mismo
yo también hasta año dos querer entre así primero desde grande eso ni
nos llegar pasar tiempo ella sí día uno bien poco deber entonces poner
cosa tanto hombre parecer nuestro tan donde ahora parte después vida
|
hola buenos días buenas tardes gracias saludos cordiales equipo soporte
atención cliente cuenta pedido factura pago pagar pagué cobro cobrado
dos veces reembolso devolución suscripción plan cancelar cancelación
renovación tarjeta crédito débito vencida rechazada recibo dirección
envío entrega entregado paquete seguimiento número código producto
productos cambio garantía defecto roto dañado inventario precio
descuento cupón promoción contraseña acceso acceder iniciar sesión
puedo intenté intentando error problema mensaje aparece pantalla blanca
página botón aplicación sitio navegador móvil ordenador computadora
versión actualización actualizar instalar descargar archivo archivos
adjunto adjuntado informe informes exportar importar datos sincronizar
configuración perfil usuario usuarios administrador permiso permisos
notificación notificaciones correo bloqueado bloqueada desbloquear
verificación autenticación lento lentitud congelado caído sistema
urgente hoy ayer mañana semana mes lunes martes miércoles jueves viernes
gerente empresa tienda oficina servidor red internet conexión impresora
dispositivo funciona funcionando todavía nuevamente resolver resuelto
solución ayuda ayudar necesito necesitamos posible rápido plazo espero
respuesta responder información detalles siguiente abajo arriba contrato
licencia migración respaldo restaurar borrado eliminado recuperar
historial idioma moneda región país`)

// Subjects: what customers write in the subject line.
var subjectsEN = []string{
	"Cannot log in to my account", "Invoice charged twice", "Refund request for order", "Password reset email never arrives",
	"App crashes on startup", "Export to CSV is broken", "How do I add a team member?", "Subscription renewal failed",
	"Package not delivered", "Wrong item received", "Two-factor code not working", "Page loads very slowly",
	"Error 500 when saving settings", "Cannot upload attachments", "Need a copy of my receipt", "Change billing address",
	"Cancel my subscription", "Integration with calendar stopped syncing", "API key invalid", "Webhook not firing",
	"Account locked after update", "Discount code not accepted", "Question about pricing plans", "Data missing after migration",
	"Notifications not arriving", "Printer not detected", "Request to delete my data", "Upgrade to the business plan",
	"Mobile app shows a blank screen", "Tracking number does not work",
}

var subjectsPT = []string{
	"Não consigo acessar minha conta", "Fatura cobrada duas vezes", "Pedido de reembolso", "Não recebi o email de redefinição de senha",
	"Aplicativo travando ao abrir", "Erro ao exportar relatório", "Como adicionar um usuário?", "Falha na renovação da assinatura",
	"Pedido não foi entregue", "Produto veio com defeito", "Código de verificação não chega", "Sistema muito lento hoje",
	"Erro ao salvar configurações", "Não consigo anexar arquivos", "Preciso da nota fiscal", "Alterar endereço de cobrança",
	"Cancelar assinatura", "Boleto vencido, como pagar?", "Cartão recusado na renovação", "Troca de produto",
	"Conta bloqueada", "Cupom de desconto não funciona", "Dúvida sobre os planos", "Dados sumiram depois da migração",
	"Notificações não aparecem", "Rastreamento não atualiza",
}

var subjectsES = []string{
	"No puedo iniciar sesión", "Factura cobrada dos veces", "Solicitud de reembolso", "No llega el correo para cambiar la contraseña",
	"La aplicación se cierra sola", "Error al exportar informe", "¿Cómo agrego un usuario?", "Falló la renovación de la suscripción",
	"El pedido no ha llegado", "Producto dañado", "El código de verificación no funciona", "El sistema está muy lento",
	"Error al guardar la configuración", "No puedo adjuntar archivos", "Necesito mi recibo", "Cambiar dirección de facturación",
	"Cancelar mi suscripción", "Tarjeta rechazada", "Cambio de producto", "Cuenta bloqueada", "El cupón de descuento no funciona",
	"Pregunta sobre los planes", "Faltan datos después de la migración", "No recibo notificaciones",
}

var greetingsEN = []string{"Hi,", "Hello,", "Hi team,", "Good morning,", "Dear support,"}
var greetingsPT = []string{"Olá,", "Bom dia,", "Boa tarde,", "Prezados,", "Oi pessoal,"}
var greetingsES = []string{"Hola,", "Buenos días,", "Buenas tardes,", "Estimados,"}
var closingsEN = []string{"Thanks,", "Best regards,", "Thank you,", "Cheers,", "Kind regards,"}
var closingsPT = []string{"Obrigado,", "Obrigada,", "Atenciosamente,", "Abraços,"}
var closingsES = []string{"Gracias,", "Saludos,", "Un saludo,", "Atentamente,"}

var firstNames = strings.Fields(`James Mary John Patricia Robert Jennifer Michael Linda William Elizabeth
David Barbara Richard Susan Joseph Jessica Thomas Sarah Charles Karen Daniel Nancy Matthew Lisa
Maria Ana João José Pedro Paulo Lucas Gabriel Rafael Fernanda Juliana Camila Beatriz Larissa Thiago
Bruno Carla Renata Patrícia Márcio Luís Sofía Valentina Mateo Santiago Diego Alejandro Lucía Martina
Javier Carmen Isabel Andrés Camilo Daniela Fernando Ricardo Elena Pablo Raquel Noah Olivia Emma Liam`)

var lastNames = strings.Fields(`Smith Johnson Williams Brown Jones Miller Davis Wilson Anderson Taylor
Thomas Moore Martin Jackson Thompson White Harris Clark Lewis Walker Silva Santos Oliveira Souza
Rodrigues Ferreira Alves Pereira Lima Gomes Costa Ribeiro Martins Carvalho Almeida Lopes Araújo
García Martínez López González Hernández Pérez Sánchez Ramírez Torres Flores Rivera Gómez Díaz
Cruz Morales Reyes Ortiz Gutiérrez Chávez Ramos Romero Navarro Castro Vargas Jiménez Ruiz`)

var orgWords = strings.Fields(`Acme Northwind Contoso Globex Initech Umbrella Stark Wayne Hooli Vandelay
Blue Green Red Silver Golden Bright Rapid Prime Nova Atlas Orion Vertex Summit Harbor Pioneer Quantum
Solar Terra Aqua Delta Alpha Omega Sigma Apex Crest Zenith Horizon Evergreen Maple Cedar Oak Pine
Andes Pampa Sertão Amazonia Ibérica Solaris`)

var orgKinds = strings.Fields(`Logistics Foods Systems Labs Retail Health Media Energy Motors Finance
Consulting Software Travel Education Pharma Textiles Construction Telecom Analytics Studios Comércio
Serviços Tecnologia Distribuidora Soluciones Industrias Grupo`)

var freeMail = []string{"gmail.com", "outlook.com", "yahoo.com", "hotmail.com", "uol.com.br", "bol.com.br", "yahoo.es", "proton.me"}

var teamNames = []string{"Customer Support", "Billing", "Technical Support", "Shipping", "Returns", "Onboarding",
	"Enterprise", "Suporte Brasil", "Soporte LATAM", "Security"}

var agentFirst = strings.Fields(`Alex Sam Jordan Taylor Morgan Casey Riley Jamie Avery Quinn Rita Ivo Nara Enzo Lia Raul Inês Tomás Nuria Hugo`)

var tagNames = strings.Fields(`billing refund login password bug feature_request vip shipping returns
invoice mobile api integration outage security cancellation upgrade onboarding account_locked
payment_failed delivery_delay damaged export import notifications performance sso two_factor
data_loss migration urgent_customer churn_risk pt_br espanol enterprise trial renewal discount
warranty printer`)

// Queries are what agents type into search, in the three languages; the
// load tool and the benchmarks rotate over them.
var Queries = []string{
	"invoice", "refund", "password reset", "login error", "charged twice", "subscription renewal",
	"export csv", "two factor", "tracking number", "app crash", "webhook", "api key",
	"fatura", "reembolso", "não consigo acessar", "boleto vencido", "nota fiscal", "senha",
	"cartão recusado", "entrega", "factura", "contraseña", "reembolso pedido", "no puedo iniciar",
	"tarjeta rechazada", "envío", "migration data missing", "notificações", "printer", "discount code",
	"cancel", "acess", "bloquead", "slow loading", "upload attachment",
}
