"""Build carta-aos-voluntarios.pdf for the Dalva Quintino example.

Run from anywhere:  python make_carta_pdf.py
The PDF is written to ../carta-aos-voluntarios.pdf relative to this script.
Output is byte-reproducible (fixed creation date and metadata).

The text uses the PDF core font Helvetica, which encodes latin-1: the Portuguese accents
(á é í ó ú â ê ô ã õ ç à) are fine, but keep to straight quotes and plain hyphens
(no curly quotes, en/em dashes or ellipsis characters). build() checks this.
"""

from datetime import datetime, timezone
from pathlib import Path

from fpdf import FPDF

TITLE = "Carta aos novos voluntários"
AUTHOR = "Dalva Quintino"

HEADER_LINES = [
    "Horta Comunitária da Rua do Sossego",
    "Terreno da esquina, Rua do Sossego, Cajueiro Velho, Recife",
]

SALUTATION = "Querida voluntária, querido voluntário,"

PARAGRAPHS = [
    "Seja bem-vinda, seja bem-vindo. Que bom que você veio. A nossa horta começou há doze "
    "anos num terreno baldio cheio de entulho, garrafa e capim alto, limpo num mutirão de "
    "vizinhos, e hoje tem trinta e dois canteiros, uma composteira de três baias, uma caixa "
    "de sementes e umas trinta pessoas que aparecem com regularidade. Nenhuma delas sabia "
    "plantar quando chegou. Eu também não sabia direito, apesar de ter ensinado ciências por "
    "vinte e seis anos. Então, se você está com medo de não saber nada, pode ficar em paz: "
    "está em ótima companhia.",

    "Quero contar como vai ser a sua primeira manhã, para você não se assustar. A gente se "
    "encontra no portão às seis e meia, porque depois das nove o sol de Recife não perdoa. "
    "Vou estar de chapéu de palha e com um caderno na mão. Nesse primeiro dia, vou pedir que "
    "você não pegue na enxada. Em vez disso, vai dar uma volta devagar pela horta comigo, ou "
    "com quem estiver de plantão, e olhar. Olhar onde bate sol e onde faz sombra, onde a "
    "terra está escura e onde está pálida, quais canteiros têm minhoca e quais não têm. "
    "Primeiro a gente observa, depois a gente planta. Parece perda de tempo. Não é. Quem "
    "começa cavando quase sempre cava no lugar errado.",

    "Lá pelas oito tem café e, quase sempre, o cuscuz de dona Socorro. Aproveite para "
    "conhecer as pessoas. Seu Lourival cuida das ferramentas e de tudo que é de madeira; "
    "Mirela, que estuda biologia, cuida das mudas e do termômetro da composteira; a "
    "professora Tânia traz as crianças da escola vizinha às quintas-feiras. Pergunte o nome "
    "de todo mundo, e pergunte também o nome das plantas: coentro, cebolinha, quiabo, "
    "maxixe, capim-santo, feijão-de-corda. Ninguém vai achar estranho você não saber.",

    "Agora, as regras. São poucas, e cada uma nasceu de uma história. A primeira: nunca "
    "deixe terra descoberta. Terra boa é terra coberta. Se você colheu ou arrancou mato, "
    "cubra o lugar com palha ou folha seca do monte que fica perto do portão. O sol direto "
    "esquenta a terra, seca tudo e espanta a vida que mora ali embaixo, e é essa vida que "
    "faz a horta funcionar. Eu demorei anos para entender isso. Achava que a resposta era "
    "adubo; hoje acho que a resposta é o solo vivo.",

    "A segunda regra: tudo o que você fizer, anote no caderno da horta, que fica numa caixa "
    "de plástico pendurada na porta do depósito. A data, o canteiro, o que fez, o que viu, "
    "quanto choveu no pluviômetro de garrafa. Escreva a lápis, porque caneta borra com a "
    "umidade. Quem anota não briga com a memória. Já tenho doze cadernos, e eles resolveram "
    "mais discussões do que qualquer reunião.",

    "A terceira: nada de veneno, nada de adubo químico e nada de esterco fresco. Essa eu "
    "aprendi do pior jeito. No meu segundo ano de horta, coloquei esterco de galinha recém-"
    "chegado nos canteiros de alface e queimei todas as mudas em quatro dias. Esterco "
    "precisa curtir antes, na composteira, pelo menos dois meses.",

    "A quarta: semente que sai da caixa de sementes volta para a caixa. Leve, plante e, "
    "quando colher, devolva um pouco mais do que levou, com o nome, a data e o canteiro "
    "escritos no envelope. Algumas daquelas sementes de feijão-de-corda vieram do sertão do "
    "Pajeú, nas mãos de seu Anísio, que me ensinou quase tudo o que eu sei de terra. Ele já "
    "se foi, mas o feijão dele continua brotando aqui todo ano.",

    "Você vai errar. Eu também erro, até hoje. Num ano de chuva forte, plantei tomate em "
    "abril, contra o conselho de todo mundo, e perdi tudo para o fungo em três semanas. "
    "Quando errar, escreva no caderno e conte na roda do café. Um erro anotado vira aula para "
    "os outros; um erro escondido volta no ano seguinte, do mesmo tamanho. E se alguém "
    "perguntar uma coisa que você não sabe, diga \"não sei\". Eu digo isso toda semana. "
    "Ainda não descobri, por exemplo, por que o quiabo do canteiro sete não vai para a "
    "frente. Seu Anísio costumava dizer: \"Quem diz que sabe tudo de terra nunca pegou "
    "nela.\"",

    "Vou ser sincera sobre mais uma coisa: a horta é lenta. O coentro leva uma semana para "
    "aparecer, a macaxeira leva quase um ano, e a terra de um canteiro novo só fica boa "
    "de verdade depois de umas duas estações de cobertura. As crianças da escola vivem "
    "querendo desenterrar a semente para ver se ela está viva. Eu digo a elas o que digo "
    "agora a você. Semente não tem pressa. Quem cuida dela, com o tempo, aprende a não ter "
    "pressa também, e isso vale tanto para a horta quanto para o resto da vida.",

    "Para as primeiras manhãs, traga chapéu, uma garrafa de água, roupa que possa sujar e "
    "sapato fechado. Luva e enxada a gente empresta. A época "
    "principal de plantio vai de março a julho, com as chuvas; no resto do ano a gente rega "
    "cedo, com a água da cisterna, e cuida da palhada. Se um dia você não puder vir, não tem "
    "problema nenhum. Só avise no grupo, para ninguém ficar esperando no portão.",

    "Estou muito feliz de ter você aqui. Nos vemos no sábado, às seis e meia, no terreno da "
    "esquina.",
]

CLOSING = "Com terra nas unhas e um abraço,"
SIGNATURE = ["Dalva Quintino", "Coordenadora da Horta Comunitária da Rua do Sossego"]


def _check_latin1() -> None:
    texts = [TITLE, AUTHOR, SALUTATION, CLOSING, *HEADER_LINES, *PARAGRAPHS, *SIGNATURE]
    for text in texts:
        text.encode("latin-1")  # raises UnicodeEncodeError if the core font cannot show it


def build(out_path: Path) -> None:
    _check_latin1()
    pdf = FPDF(orientation="P", unit="mm", format="A4")
    pdf.set_creation_date(datetime(2026, 1, 1, tzinfo=timezone.utc))
    pdf.set_title(TITLE)
    pdf.set_author(AUTHOR)
    pdf.set_subject("Carta de boas-vindas aos novos voluntários da Horta Comunitária da Rua do Sossego")
    pdf.set_creator("make_carta_pdf.py")
    pdf.set_keywords("horta comunitária, voluntários, compostagem, Recife")
    pdf.set_lang("pt-BR")
    pdf.set_margins(left=25, top=25, right=25)
    pdf.set_auto_page_break(auto=True, margin=25)
    pdf.add_page()

    pdf.set_font("Helvetica", style="B", size=18)
    pdf.multi_cell(0, 10, TITLE, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(1)

    pdf.set_font("Helvetica", style="I", size=10)
    for line in HEADER_LINES:
        pdf.multi_cell(0, 5, line, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(8)

    pdf.set_font("Helvetica", size=11.5)
    line_h = 6.2
    pdf.multi_cell(0, line_h, SALUTATION, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    for para in PARAGRAPHS:
        pdf.multi_cell(0, line_h, para, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(3)

    pdf.ln(2)
    pdf.multi_cell(0, line_h, CLOSING, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(8)
    pdf.set_font("Helvetica", style="B", size=11.5)
    pdf.multi_cell(0, line_h, SIGNATURE[0], new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=11.5)
    for line in SIGNATURE[1:]:
        pdf.multi_cell(0, line_h, line, new_x="LMARGIN", new_y="NEXT")

    pdf.output(str(out_path))


if __name__ == "__main__":
    here = Path(__file__).resolve().parent
    build(here.parent / "carta-aos-voluntarios.pdf")
