"""Build carta-aos-voluntarios.pdf for the Dalva Quintino example.

Run from anywhere:  python make_carta_pdf.py
The PDF is written to ../carta-aos-voluntarios.pdf relative to this script.
Output is byte-reproducible (fixed creation date and metadata).

The text uses the PDF core font Helvetica, which encodes latin-1: the Portuguese accents
(á é í ó ú â ê ô ã õ ç à) are fine, but keep to straight quotes and plain hyphens
(no curly quotes, en/em dashes or ellipsis characters). build_letter() checks this.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "_build"))
from letter_pdf import build_letter  # noqa: E402  (examples/_build: the shared letter layout)

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


def build(out_path: Path) -> None:
    build_letter(out_path, title=TITLE, author=AUTHOR,
                 subject="Carta de boas-vindas aos novos voluntários da Horta Comunitária da Rua do Sossego",
                 creator="make_carta_pdf.py", keywords="horta comunitária, voluntários, compostagem, Recife", lang="pt-BR",
                 header_lines=HEADER_LINES, salutation=SALUTATION, paragraphs=PARAGRAPHS, closing=CLOSING, signature=SIGNATURE)


if __name__ == "__main__":
    here = Path(__file__).resolve().parent
    build(here.parent / "carta-aos-voluntarios.pdf")
