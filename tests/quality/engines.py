"""An article, a faithful engine for it, and engines that misbehave the way real
models do, each in one controlled way."""

from __future__ import annotations

import re
from collections.abc import Sequence

from tests.factories import body_article
from tests.support.engines import ScriptedEngine

BODY = """<h2>Ministers meet in Rabat</h2>
<p>The ministers of education of 12 countries met in Rabat on Tuesday to adopt a common
plan for schools.</p>
<p>The plan will cost 3.5 million dollars over the next four years, according to the
<a href="https://example.org/report">final report</a> of the meeting.</p>
<p>It follows the G20 summit on education held last year in the capital.</p>
<p>Questions about the programme can be sent to press@example.org before the end of the
month.</p>
<ul><li>More teachers in rural areas and better training for all of them.</li>
<li>New textbooks for every pupil in the first years of school.</li></ul>
"""
TITLE = "Education ministers adopt a common plan for schools"


def news_article():
    return body_article(BODY, title=TITLE, url="https://s.org/news/plan.html")


# What a careful translator would write, keyed by what the engine is sent.
FRENCH = {
    TITLE: "Les ministres de l'éducation adoptent un plan commun pour les écoles",
    "Ministers meet in Rabat": "Les ministres se réunissent à Rabat",
    "The ministers of education of <x1/> countries met in Rabat on Tuesday to adopt a "
    "common plan for schools.": "Les ministres de l'éducation de <x1/> pays se sont réunis "
    "mardi à Rabat pour adopter un plan commun pour les écoles.",
    "The plan will cost <x1/> million dollars over the next four years, according to the "
    "<g2>final report</g2> of the meeting.": "Le plan coûtera <x1/> millions de dollars au "
    "cours des quatre prochaines années, selon le <g2>rapport final</g2> de la réunion.",
    "It follows the G20 summit on education held last year in the capital.": "Il fait suite "
    "au sommet du G20 sur l'éducation qui s'est tenu l'an dernier dans la capitale.",
    "Questions about the programme can be sent to <x1/> before the end of the month.": "Les "
    "questions sur le programme peuvent être envoyées à <x1/> avant la fin du mois.",
    "More teachers in rural areas and better training for all of them.": "Plus d'enseignants "
    "dans les zones rurales et une meilleure formation pour tous.",
    "New textbooks for every pupil in the first years of school.": "De nouveaux manuels pour "
    "chaque élève des premières années d'école.",
}
# The same, in the wrong language (Spanish) for a French variant.
SPANISH = {
    TITLE: "Los ministros de educación adoptan un plan común para las escuelas",
    "Ministers meet in Rabat": "Los ministros se reúnen en Rabat",
    "The ministers of education of <x1/> countries met in Rabat on Tuesday to adopt a "
    "common plan for schools.": "Los ministros de educación de <x1/> países se reunieron el "
    "martes en Rabat para adoptar un plan común para las escuelas.",
    "The plan will cost <x1/> million dollars over the next four years, according to the "
    "<g2>final report</g2> of the meeting.": "El plan costará <x1/> millones de dólares en "
    "los próximos cuatro años, según el <g2>informe final</g2> de la reunión.",
    "It follows the G20 summit on education held last year in the capital.": "Sigue a la "
    "cumbre del G20 sobre la educación que se celebró el año pasado en la capital.",
    "Questions about the programme can be sent to <x1/> before the end of the month.": "Las "
    "preguntas sobre el programa se pueden enviar a <x1/> antes del fin del mes.",
    "More teachers in rural areas and better training for all of them.": "Más docentes en "
    "las zonas rurales y una mejor formación para todos ellos.",
    "New textbooks for every pupil in the first years of school.": "Nuevos libros de texto "
    "para cada alumno en los primeros años de la escuela.",
}


def _one_line(text: str) -> str:
    return " ".join(text.split())


FRENCH = {_one_line(k): v for k, v in FRENCH.items()}
SPANISH = {_one_line(k): v for k, v in SPANISH.items()}


class Faithful(ScriptedEngine):
    """Translates the article as FRENCH says; scores like a confident model."""

    table = FRENCH
    score = -0.2

    def __init__(self, **kwargs) -> None:
        super().__init__(self._translate, name=type(self).__name__.lower(), **kwargs)

    def _translate(self, text: str, source: str, target: str) -> str:
        return self.table[_one_line(text)]

    def translate_batch_scored(
        self, texts: Sequence[str], source: str, target: str
    ) -> list[tuple[str, float]]:
        return [(t, self.score) for t in self.translate_batch(texts, source, target)]


class Repeats(Faithful):
    """Falls into the decoder loop: the end of every answer repeats its last words."""

    def _translate(self, text: str, source: str, target: str) -> str:
        out = super()._translate(text, source, target).rstrip(".")
        tail = " ".join(re.sub(r"</?g\d+>|<x\d+/>", "", out).split()[-3:])
        return f"{out} {tail} {tail} {tail} {tail}."


class Copies(Faithful):
    """Hands the source back untranslated."""

    def _translate(self, text: str, source: str, target: str) -> str:
        return text


class WrongLanguage(Faithful):
    """Answers in Spanish when asked for French."""

    table = SPANISH


class DropsNumbers(Faithful):
    """Leaves out the digits it is shown (those the pipeline does not protect)."""

    def _translate(self, text: str, source: str, target: str) -> str:
        out = super()._translate(text, source, target)
        return re.sub(r"\b([A-Z]+)\d+\b", r"\1", out)


class Unsure(Faithful):
    """A faithful answer the model itself doubts."""

    score = -2.0


class Lost(Faithful):
    """Output the model is certain is wrong."""

    score = -4.5
