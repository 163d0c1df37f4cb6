"""What the store says when it refuses something, in English (the default) or Dutch.

The web app, whose pages are Dutch, asks for Dutch for the length of each
request (:func:`use`, then :func:`restore`); the command line and the Python API keep English. A
message about one field of a form starts with that field's name in quotes
(``'age' must ...``, ``'age': moet ...``), so a form can show it beside the field.
"""

from __future__ import annotations

from contextvars import ContextVar, Token
from typing import Any

__all__ = ["say", "use", "restore", "language"]

_language: ContextVar[str] = ContextVar("weegtool_store_messages", default="en")

MESSAGES: dict[str, dict[str, str]] = {
    "en": {
        "pseudonym.blank": "'pseudonym' must not be blank.",
        "pseudonym.form": "'pseudonym' must be 1 to 40 letters, digits, '.', '_' or '-', beginning with a letter or "
        "digit (a code, never a name); got {got!r}.",
        "pseudonym.taken": "a candidate {pseudonym!r} is already registered (pseudonyms differing only in case "
        "are one).",
        "pseudonym.reserved": "'pseudonym' must not be {got!r}: the web app's addresses use that word.",
        "referral.conflict": "Referral {pseudonym!r} was changed by someone else since you opened it; open it again "
        "to see their change, then make yours.",
        "age.range": "'age' must be a whole number of years from 0 to 120; got {got!r}.",
        "direction.choice": "'direction' must be one of {choices}; got {got!r}.",
        "consent.choice": "'consent' must be yes, no or not known; got {got!r}.",
        "referrer.length": "'referrer' must be at most 200 characters; got {n}.",
        "flags.choice": "'flags' must be flags of the instrument ({choices}); got {got}.",
        "password.short": "A password must have at least {min} characters; got {n}.",
        "password.weak": "'new': this password is too easy to guess (strength {score} of 4, at least {min} "
        "needed; zxcvbn): {reason}",
        "password.weak_reason": "add another word or two; uncommon words are better.",
        "password.current": "password: the current password must match; got a different one.",
        "password.same": "password: the new password must differ from the current one; got the same.",
        "name.blank": "'name' must not be blank.",
        "name.length": "'name' must be at most 120 characters; got {n}.",
        "registration.length": "'registration' must be at most 40 characters; got {n}.",
        "role.choice": "'role' must be one of {choices}; got {got!r}.",
        "registration.needed": "a behavioural scientist needs a 'registration' (SKJ or BIG number).",
        "name.taken": "a user named {name!r} already exists.",
        "admin.last": "user {name!r}: the last active admin must stay active; got a deactivation. Make another "
        "admin first.",
        "house.code": "'code' must be 1 to 40 letters, digits, '.', '_' or '-'; got {got!r}.",
        "house.capacity": "'capacity' must be at least 1; got {got}.",
        "resident.pseudonym": "resident {got!r}: a pseudonym must be 1 to 40 letters, digits, '.', '_' or '-'.",
        "resident.twice": "resident {got!r} is listed more than once.",
        "note.blank": "note: 'text' must not be blank.",
        "note.length": "note: 'text' must have at most {max} characters; got {n}.",
        "ratings.fixed": "These ratings of {pseudonym!r} were submitted and are fixed.",
        "ratings.closed": "The committee has decided on {pseudonym!r}; its ratings are closed.",
        "ratings.text": "item {item!r}: a note or reason must be at most {max} characters; got {n}.",
        "ratings.nul": "item {item!r}: a note or reason holds a NUL character (\\x00), which is no text.",
        "ratings.critical": "item {item!r}: give the reason the item is critical, not only that it "
        "is; got {said!r}.",
        "assessment.final": "The assessment of {pseudonym!r} is finalised; a change is a correction, with its reason.",
        "correction.reason": "A correction needs its reason.",
        "assessment.stale": "The decision on {pseudonym!r} was corrected by someone else since you opened it "
        "(your correction was made on revision {based_on}, the newest is {revision}); read theirs, then correct "
        "that one if need be.",
        "assessment.race": "Another decision on {pseudonym!r} (revision {revision}) was recorded at the same "
        "moment; yours was not. Read theirs, then correct it if need be.",
        "correction.undecided": "{pseudonym!r} has no decision yet; its referral can be changed without a "
        "correction.",
        "referral.decided": "Referral {pseudonym!r} is decided: its fields are read-only until the chair opens a "
        "correction.",
        "change.field": "{field}: {old} → {new}",
        "change.ratings": "ratings of {rater}: {moves}",
        "committee.member": "'members': only active raters and chairs sit on a committee; not {names}.",
        "committee.outside": "{pseudonym!r} has its own committee, and this user is not on it.",
        "text.length": "'{field}' must be at most {max} characters.",
        "municipality.choice": "'municipality' must be one of the configured municipalities; got {got!r}.",
        "referrer_type.choice": "'referrer_type' must be one of the referrer types; got {got!r}.",
        "placement.undecided": "{pseudonym!r} has no decision yet; a placement or the waiting list follows a "
        "decision.",
        "placement.decision": "the decision on {pseudonym!r} ({category}) is not one to place; a correction of the "
        "decision comes first.",
        "placement.open": "{pseudonym!r} lives in a house since {since}; record the end of that placement first.",
        "date.before_decision": "'{field}' must be on or after the decision ({decided}); got {day}.",
        "date.future": "'{field}' must not lie in the future; got {day}.",
        "placement.house": "'house': no house {got!r}.",
        "placement.conflict": "'house': not now: {reason}",
        "placement.ended": "this placement ended on {day} already.",
        "placement.used": "the decision on {pseudonym!r} led to a placement already; a new placement needs a new "
        "decision (a correction).",
        "end_reason.choice": "'end_reason' must be one of the end reasons; got {got!r}.",
        "placement.end_before_start": "'ended_on' must be on or after the start ({start}); got {day}.",
        "waiting.already": "{pseudonym!r} is on the waiting list already.",
        "waiting.not": "{pseudonym!r} is not on the waiting list.",
        "waiting.decision": "the decision on {pseudonym!r} ({category}) is not one to place, so not one to wait "
        "for a place either; a correction of the decision comes first.",
        "waiting.used": "{pseudonym!r} was placed on the newest decision already; the waiting list needs a new "
        "decision (a correction).",
        "candidate.gone": "this candidate's file was erased meanwhile; nothing was saved.",
        "house.placed": "house {house!r} has placed residents ({residents}); record their departure first.",
        "waiting.until_before": "'until' must be on or after the day the wait began ({since}); got {day}.",
        # reviews of placed residents (store/reviews.py)
        "review.role": "A coordinator or the chair opens a review; this user is {role}.",
        "review.not_placed": "{pseudonym!r} lives in no house now; a review is of a placed resident.",
        "review.open": "a review of {pseudonym!r} is open already (since {since}); decide it first.",
        "review.date": "'opened_on' must lie from the decision under review ({decided}) to today; got {day}.",
        "review.end_reason": "'end_reason': the decision {category!r} ends the placement; choose the reason of "
        "the end.",
        "review.continues": "'end_reason': the decision {category!r} continues the placement; leave the reason "
        "of an end empty.",
        # erasure (store/erasure.py)
        "erasure.two": "An erasure on request needs two people: a coordinator and an administrator, each "
        "confirming with their own password.",
        "erasure.roles": "An erasure on request is made by a coordinator and an administrator together; "
        "got {roles}.",
        "erasure.reason": "'reason' must not be blank: an erasure needs its reason (e.g. 'written request "
        "of 2026-11-29').",
        "erasure.named": "'reason' must not name the person: leave the pseudonym out of it.",
        "erasure.long": "'reason' must be at most {max} characters; got {n}.",
        "erasure.password": "{role} {name!r}: wrong name or password (or not an active {role}).",
    },
    "nl": {
        "pseudonym.blank": "'pseudonym': vul een pseudoniem in.",
        "pseudonym.form": "'pseudonym': een pseudoniem is een code van 1 tot 40 letters, cijfers, '.', '_' of '-' die "
        "met een letter of cijfer begint (nooit een naam); gegeven: {got!r}.",
        "pseudonym.taken": "'pseudonym': er is al een aanmelding {pseudonym!r} (hoofd- en kleine letters tellen "
        "niet als verschil).",
        "pseudonym.reserved": "'pseudonym': {got!r} kan geen pseudoniem zijn; de webadressen gebruiken dat woord.",
        "referral.conflict": "Aanmelding {pseudonym!r} is door iemand anders gewijzigd sinds u haar opende. Hieronder "
        "staan uw wijzigingen; sla opnieuw op om ze over die van de ander heen door te voeren.",
        "age.range": "'age': vul een leeftijd van 0 tot 120 jaar in; gegeven: {got!r}.",
        "direction.choice": "'direction': kies een plaatsingsrichting uit de lijst; gegeven: {got!r}.",
        "consent.choice": "'consent': kies ja, nee of onbekend; gegeven: {got!r}.",
        "referrer.length": "'referrer': ten hoogste 200 tekens; nu {n}.",
        "flags.choice": "'flags': alleen signalen van het instrument; onbekend: {got}.",
        "password.short": "'new': een wachtwoord heeft minstens {min} tekens; dit heeft er {n}.",
        "password.weak": "'new': dit wachtwoord is te makkelijk te raden (sterkte {score} van 4, minstens {min} "
        "nodig; zxcvbn): {reason}",
        "password.weak_reason": "voeg een paar woorden toe; ongewone woorden zijn beter.",
        "password.current": "'old': het huidige wachtwoord klopt niet.",
        "password.same": "'new': kies een ander wachtwoord dan het huidige.",
        "name.blank": "'name': vul een naam in.",
        "name.length": "'name': ten hoogste 120 tekens; nu {n}.",
        "registration.length": "'registration': ten hoogste 40 tekens; nu {n}.",
        "role.choice": "'role': kies een rol uit de lijst; gegeven: {got!r}.",
        "registration.needed": "'registration': een gedragswetenschapper heeft een registratienummer (SKJ of BIG).",
        "name.taken": "'name': er is al een gebruiker {name!r}.",
        "admin.last": "{name!r} is de laatste actieve beheerder en blijft actief; maak eerst iemand anders beheerder.",
        "house.code": "'code': een code van 1 tot 40 letters, cijfers, '.', '_' of '-'; gegeven: {got!r}.",
        "house.capacity": "'capacity': minstens 1 plaats; gegeven: {got}.",
        "resident.pseudonym": "bewoner {got!r}: een pseudoniem is een code van 1 tot 40 letters, cijfers, '.', '_' of "
        "'-'.",
        "resident.twice": "bewoner {got!r} staat er meer dan eens in.",
        "note.blank": "'note': een lege notitie wordt niet bewaard.",
        "note.length": "'note': ten hoogste {max} tekens; nu {n}.",
        "ratings.fixed": "Uw beoordeling van {pseudonym!r} is ingediend en staat vast.",
        "ratings.closed": "De commissie heeft over {pseudonym!r} besloten; beoordelen kan niet meer.",
        "ratings.text": "item {item!r}: een toelichting heeft ten hoogste {max} tekens; nu {n}.",
        "ratings.nul": "item {item!r}: een toelichting bevat een NUL-teken (\\x00), dat geen tekst is.",
        "ratings.critical": "item {item!r}: geef de reden waarom het item kritiek is, niet alleen dat "
        "het kritiek is; nu {said!r}.",
        "assessment.final": "Het besluit over {pseudonym!r} is vastgesteld; een wijziging is een correctie, met reden.",
        "correction.reason": "'reason': een correctie vraagt de reden ervan.",
        "assessment.stale": "Het besluit over {pseudonym!r} is door iemand anders gecorrigeerd sinds u het "
        "opende (uw correctie ging uit van versie {based_on}, de nieuwste is versie {revision}). Uw correctie is "
        "niet vastgelegd; lees die van de ander hieronder en corrigeer zo nodig opnieuw.",
        "assessment.race": "Op hetzelfde moment is een ander besluit over {pseudonym!r} vastgelegd (versie "
        "{revision}); het uwe niet. Lees dat besluit hieronder en corrigeer het zo nodig.",
        "correction.undecided": "Over {pseudonym!r} is nog niet besloten; de aanmelding kan zonder correctie "
        "gewijzigd worden.",
        "referral.decided": "Over aanmelding {pseudonym!r} is besloten: de gegevens staan vast tot de voorzitter "
        "een correctie opent.",
        "change.field": "{field}: {old} → {new}",
        "change.ratings": "beoordeling van {rater}: {moves}",
        "committee.member": "'members': alleen actieve beoordelaars en voorzitters zitten in een commissie; niet "
        "{names}.",
        "committee.outside": "{pseudonym!r} heeft een eigen commissie, en u zit daar niet in.",
        "text.length": "'{field}': ten hoogste {max} tekens.",
        "municipality.choice": "'municipality': kies een gemeente uit de lijst; gegeven: {got!r}.",
        "referrer_type.choice": "'referrer_type': kies een soort verwijzer uit de lijst; gegeven: {got!r}.",
        "placement.undecided": "Over {pseudonym!r} is nog niet besloten; plaatsen of op de wachtlijst zetten volgt "
        "op een besluit.",
        "placement.decision": "Het besluit over {pseudonym!r} ({category}) is geen besluit tot plaatsen; corrigeer "
        "eerst het besluit.",
        "placement.open": "{pseudonym!r} woont sinds {since} in een huis; leg eerst het vertrek daar vast.",
        "date.before_decision": "'{field}': de datum ligt voor het besluit ({decided}); gegeven: {day}.",
        "date.future": "'{field}': de datum ligt in de toekomst; gegeven: {day}.",
        "placement.house": "'house': er is geen huis {got!r}.",
        "placement.conflict": "'house': nu niet: {reason}",
        "placement.ended": "Deze plaatsing is al beëindigd op {day}.",
        "placement.used": "Het besluit over {pseudonym!r} is al uitgevoerd met een plaatsing; een nieuwe plaatsing "
        "vraagt een nieuw besluit (een correctie).",
        "end_reason.choice": "'end_reason': kies een reden van vertrek uit de lijst; gegeven: {got!r}.",
        "placement.end_before_start": "'ended_on': de datum ligt voor de start van de plaatsing ({start}); "
        "gegeven: {day}.",
        "waiting.already": "{pseudonym!r} staat al op de wachtlijst.",
        "waiting.not": "{pseudonym!r} staat niet op de wachtlijst.",
        "waiting.decision": "Het besluit over {pseudonym!r} ({category}) is geen besluit tot plaatsen, en dus "
        "ook niet tot wachten op een plek; corrigeer eerst het besluit.",
        "waiting.used": "{pseudonym!r} is op het nieuwste besluit al geplaatst geweest; op de wachtlijst zetten "
        "vraagt een nieuw besluit (een correctie).",
        "candidate.gone": "Het dossier van deze jongere is intussen gewist; er is niets opgeslagen.",
        "house.placed": "In huis {house!r} wonen geplaatste jongeren ({residents}); leg eerst hun vertrek vast.",
        "waiting.until_before": "'until': de datum ligt voor het begin op de wachtlijst ({since}); gegeven: {day}.",
        # evaluaties van geplaatste jongeren (store/reviews.py)
        "review.role": "Een coördinator of de voorzitter start een evaluatie; deze gebruiker is {role}.",
        "review.not_placed": "{pseudonym!r} woont nu in geen huis; een evaluatie is van een geplaatste jongere.",
        "review.open": "Er loopt al een evaluatie van {pseudonym!r} (sinds {since}); besluit daar eerst over.",
        "review.date": "'opened_on': de datum ligt niet tussen het besluit dat geëvalueerd wordt ({decided}) en "
        "vandaag; gegeven: {day}.",
        "review.end_reason": "'end_reason': het besluit {category!r} beëindigt de plaatsing; kies de reden van "
        "vertrek.",
        "review.continues": "'end_reason': het besluit {category!r} zet de plaatsing voort; laat de reden van "
        "vertrek leeg.",
        # wissen (store/erasure.py)
        "erasure.two": "Wissen op verzoek vraagt twee mensen: een coördinator en een beheerder, elk met het "
        "eigen wachtwoord.",
        "erasure.roles": "Wissen op verzoek doen een coördinator en een beheerder samen; nu: {roles}.",
        "erasure.reason": "'reason': vul de reden in (bijvoorbeeld 'schriftelijk verzoek van 29-11-2026').",
        "erasure.named": "'reason': noem de jeugdige niet in de reden; laat het pseudoniem weg.",
        "erasure.long": "'reason': ten hoogste {max} tekens; nu {n}.",
        "erasure.password": "'{role}': naam of wachtwoord klopt niet (of het account heeft die rol niet).",
    },
}


# The warnings of the zxcvbn password strength estimator (zxcvbn/feedback.py, version 4.5), in Dutch.
STRENGTH_WARNINGS_NL = {
    "Straight rows of keys are easy to guess.": "Rijen toetsen naast elkaar zijn makkelijk te raden.",
    "Short keyboard patterns are easy to guess.": "Korte patronen op het toetsenbord zijn makkelijk te raden.",
    'Repeats like "aaa" are easy to guess.': 'Herhalingen zoals "aaa" zijn makkelijk te raden.',
    'Repeats like "abcabcabc" are only slightly harder to guess than "abc".': "Herhalingen zoals "
    '"abcabcabc" zijn nauwelijks moeilijker te raden dan "abc".',
    'Sequences like "abc" or "6543" are easy to guess.': 'Reeksen zoals "abc" of "6543" zijn makkelijk te '
    "raden.",
    "Recent years are easy to guess.": "Recente jaartallen zijn makkelijk te raden.",
    "Dates are often easy to guess.": "Datums zijn vaak makkelijk te raden.",
    "This is a top-10 common password.": "Dit is een van de tien meest gebruikte wachtwoorden.",
    "This is a top-100 common password.": "Dit is een van de honderd meest gebruikte wachtwoorden.",
    "This is a very common password.": "Dit is een veelgebruikt wachtwoord.",
    "This is similar to a commonly used password.": "Dit lijkt op een veelgebruikt wachtwoord.",
    "A word by itself is easy to guess.": "Een los woord is makkelijk te raden.",
    "Names and surnames by themselves are easy to guess.": "Losse voor- en achternamen zijn makkelijk te "
    "raden.",
    "Common names and surnames are easy to guess.": "Veelvoorkomende namen zijn makkelijk te raden.",
}


def strength_warning(warning: str) -> str:
    """zxcvbn's ``warning`` in the current language (its English when no translation is known)."""
    if _language.get() == "nl":
        return STRENGTH_WARNINGS_NL.get(warning, warning)
    return warning


def language() -> str:
    return _language.get()


def use(lang: str) -> Token[str]:
    """Word the store's refusals in ``lang`` ("en" or "nl") until :func:`restore` with the token returned."""
    if lang not in MESSAGES:
        raise ValueError(
            f"The 'lang' parameter must be one of {tuple(MESSAGES)}. Got {lang!r} instead."
        )
    return _language.set(lang)


def restore(token: Token[str]) -> None:
    """Back to the language before the :func:`use` that gave ``token``."""
    _language.reset(token)


def say(key: str, **values: Any) -> str:
    """The message ``key`` in the current language, with ``values`` filled in."""
    return MESSAGES[_language.get()][key].format(**values)
