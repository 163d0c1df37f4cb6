"""Fixed wording in Dutch and English: the translation catalogue of the core.

Instrument texts (items, flags, categories) come from the criteria file; this
module words the rest: directions, reasons, conflicts and labels.
"""

from __future__ import annotations

from typing import Any

from .instrument import Instrument

__all__ = [
    "LANGUAGES",
    "text",
    "describe_reason",
    "describe_change",
    "direction_title",
    "role_title",
    "check_lang",
    "points",
    "detail_label",
    "detail_value",
]

LANGUAGES = ("nl", "en")

CATALOGUE: dict[str, dict[str, str]] = {
    "nl": {
        "report.title": "Opnameadvies",
        "report.candidate": "Kandidaat (pseudoniem)",
        "report.date": "Datum beoordeling",
        "report.purpose": "Doel",
        "report.purpose.admission": "opname",
        "report.purpose.review": "evaluatie",
        "report.committee": "Commissie",
        "report.raters": "{n} beoordelaar(s)",
        "report.instrument": "Instrument",
        "report.status.concept": "concept: gewichten en afkappunten zijn voorlopig",
        "report.status.calibrated": "gekalibreerd",
        "report.consent": "Instemming (WGBO)",
        "report.sources": "Gebruikte informatiebronnen",
        "report.source_doubts": "Twijfel over de kwaliteit van de informatie",
        "report.yes": "ja",
        "report.no": "nee",
        "report.unknown": "niet vastgelegd",
        "report.advice": "Advies",
        "report.advice_sentence": "Het instrument adviseert: {title}.",
        "report.suitability_sentence": "Passend voor de woonvorm: {title}; groepssamenstelling: {fit}.",
        "report.group_fit.fits": "past in huis {house}",
        "report.group_fit.conflicts": "past nu niet in de groep",
        "report.group_fit.not_checked": "niet getoetst",
        "report.direction": "Richting van de plaatsing",
        "report.review_date": "Evaluatie van het perspectiefplan uiterlijk",
        "report.reasons": "Redenen",
        "report.counterfactual": "Wat het advies zou veranderen",
        "report.margin": "Marge tot de dichtstbijzijnde bandgrens",
        "report.profile": "Domeinprofiel",
        "report.profile_desc": "Domeinscores van 0 tot 100 met de bandgrenzen van de totaalscore. {values}",
        "report.total": "Totaal",
        "report.items": "Items per domein",
        "report.item": "Item",
        "report.rating": "Score",
        "report.anchor": "Omschrijving van dit niveau",
        "report.raters_col": "Beoordelaars",
        "report.spread": "Spreiding",
        "report.weight": "Gewicht",
        "report.contribution": "Bijdrage",
        "report.for_discussion": "ter bespreking",
        "report.notes": "Onderbouwing",
        "report.critical": "Kritiek item",
        "report.between": "tussen {a} en {b}",
        "report.not_rated": "niet gescoord",
        "report.domain_score": "domeinscore {score}",
        "report.prorated": "naar rato berekend",
        "report.flags": "Contra-indicaties en signalen",
        "report.flag_hard": "hard",
        "report.flag_soft": "zacht",
        "report.flag_info": "informatie",
        "report.flag_justify": "Onderbouwing van de commissie (verplicht):",
        "report.no_flags": "Geen contra-indicaties of signalen vastgelegd.",
        "report.composition": "Groepssamenstelling",
        "report.no_conflicts": "Geen conflicten met de huidige bewoners.",
        "report.free_places": "vrije plaatsen",
        "report.decision": "Besluit van de commissie",
        "report.decision_follows": "De commissie volgt het advies.",
        "report.decision_deviates": "De commissie wijkt af van het advies en besluit: {title}.",
        "report.decision_items": "Onderbouwd met de items",
        "role.admin": "beheerder",
        "role.coordinator": "coördinator",
        "role.chair": "voorzitter",
        "role.rater": "beoordelaar",
        "role.researcher": "onderzoeker",
        "report.dissent": "Afwijkende mening",
        "detail.residents": "bewoners",
        "detail.capacity": "plaatsen",
        "detail.group": "groep",
        "detail.staff_on_duty": "begeleiders in dienst",
        "detail.max_per_staff": "hoogstens per begeleider",
        "detail.flag": "signaal",
        "detail.max": "hoogstens",
        "detail.candidate_flag": "signaal van de jongere",
        "detail.resident_flag": "signaal van een bewoner",
        "detail.age": "leeftijd",
        "detail.age_range": "leeftijdsgrenzen",
        "detail.main_problem": "hoofdprobleem",
        "decision.category": "het besluit: de categorie moet een van {categories} zijn; gegeven: {category!r}.",
        "decision.follows": "het besluit: follows_advice is {follows} maar het advies is {advice!r} en het besluit "
        "{decision!r}.",
        "decision.items": "het besluit: {items} zijn geen items van {instrument}.",
        "decision.deviation": "het besluit: afwijken van het advies vraagt een schriftelijke motivering met de items "
        "waarop die steunt.",
        "decision.soft": "het besluit: een zacht signaal vraagt een schriftelijke motivering met de items waarop "
        "die steunt; gesignaleerd: {flags}.",
        "decision.members": "het besluit: vraagt ten minste twee commissieleden; nu {n}.",
        "decision.scientist": "het besluit: vraagt een geregistreerde gedragswetenschapper (SKJ of BIG) onder de "
        "ondertekenaars.",
        "decision.not_hard": "het besluit: signaal {flag!r} is geen hard signaal van deze kandidaat.",
        "decision.hard_flag": "het besluit: plaatsen ondanks een harde contra-indicatie ({flags}) kan "
        "alleen door die opzij te zetten, met een motivering met items en twee handtekeningen.",
        "decision.override": "het besluit: een hard signaal opzijzetten vraagt een motivering met de items waarop "
        "die steunt, en twee handtekeningen.",
        "signer.member": "{name} is geen actief commissielid en kan niet tekenen.",
        "signer.took_part": "{name} heeft geen beoordeling ingediend (een leeg formulier wie niet beoordeelt) en deed "
        "dus niet mee: de handtekening telt niet.",
        "signer.password": "Het wachtwoord van {name} klopt niet; de handtekening telt niet.",
        "signer.one_time": "{name} heeft nog een eenmalig wachtwoord: eerst inloggen en een eigen kiezen.",
        "report.signatories": "Ondertekening",
        "report.role": "Rol",
        "report.registration": "Registratie (SKJ/BIG)",
        "report.name": "Naam",
        "report.signature": "Handtekening",
        "report.decision_blank": "Het advies volgen of afwijken (met onderbouwing en de items waarop die rust):",
        "report.appendix": "Bijlage: zo komt de score tot stand",
        "report.appendix_text": "Elk item krijgt een score op een verankerde schaal. De scores van de beoordelaars worden gecombineerd ({aggregation}). Per domein wordt een gewogen gemiddelde van de items omgerekend naar 0-100; ontbreekt een item (binnen de toegestane marge), dan wordt naar rato gerekend en staat dat erbij. De totaalscore is het gewogen gemiddelde van de domeinen; {protective}. Hoe hoger het totaal, hoe zwaarder de zorgvraag. De bijdrage van een item is het aantal punten dat het aan het totaal bijdraagt; de bijdragen tellen op tot het totaal.",
        "report.protective.lowers": "beschermende factoren verlagen het totaal",
        "report.protective.beside": "beschermende factoren staan ernaast en tellen niet mee in het totaal",
        "report.aggregation.median": "mediaan",
        "report.aggregation.mean": "gemiddelde",
        "report.aggregation.min": "laagste",
        "report.aggregation.max": "hoogste",
        "report.domain_weight": "Gewicht in het totaal",
        "report.bands": "Banden",
        "report.generated": "Gemaakt met weegtool {version}",
        "report.cohort": "Cohortoverzicht",
        "report.cohort_counts": "Aantallen per advies",
        "report.cohort_directions": "Aantallen per richting",
        "report.cohort_disputed": "Items die het vaakst ter bespreking staan",
        "report.cohort_hard": "Kandidaten met een harde contra-indicatie",
        "report.cohort_candidates": "Kandidaten",
        "report.count": "Aantal",
        "report.none": "geen",
        "label.item": "Item",
        "label.rating": "Score",
        "label.spread": "Spreiding",
        "label.weight": "Gewicht",
        "label.contribution": "Bijdrage",
        "label.domain": "Domein",
        "label.total": "Totaal",
        "label.advice": "Advies",
        "label.reasons": "Redenen",
        "label.changes": "Kleinste wijziging die het advies verandert",
        "label.critical": "Kritieke items",
        "label.direction": "Richting",
        "label.review": "Evaluatie",
        "label.disputed": "ter bespreking",
        "label.not_assessable": "niet te beoordelen",
        "label.candidate": "Kandidaat",
        "label.band": "Band",
        "label.flags": "Vlaggen",
        "label.house": "Huis",
        "direction.long_term": "Langdurig thuis (gedrag overvraagt pleeg- of gezinshuis)",
        "direction.cannot_live_home": "Kan of wil niet meer thuis wonen",
        "direction.temporary_back_home": "Tijdelijk, perspectief terug naar huis",
        "direction.crisis": "Tijdelijke onderbreking of crisis",
        "reason.precondition.unknown": "Voorwaarde '{title}' is niet vastgelegd ({field} ontbreekt): eerst uitzoeken.",
        "reason.precondition.age": "Leeftijd {value} valt buiten het bereik {low}-{high} jaar van de woonvorm.",
        "reason.precondition": "Niet voldaan aan voorwaarde: {title}",
        "reason.missing": "Te veel ontbrekende informatie: {missing} van {items} items ontbreken "
        "(toegestaan {allowed:.0%}); niet te beoordelen domeinen: {domains}.",
        "reason.hard_flag": "Harde contra-indicatie: {title}. {meaning}",
        "reason.overridden_flag": "Harde contra-indicatie '{title}' terzijde geschoven door de commissie: "
        "{justification} (getekend: {signatories}).",
        "reason.soft_flag": "Zachte contra-indicatie: {title}. Bespreken en schriftelijk onderbouwen. {meaning}",
        "reason.info_flag": "Kenmerk voor de groepssamenstelling: {title}.",
        "reason.ceiling": "Domein {title} scoort {score:.1f}, op of boven het plafond {at:g}.",
        "reason.band": "Totaalscore {total:.1f} valt in band '{band}' ({low:g}-{high:g}); "
        "marge {margin} punten tot band '{nearest}'.",
        "reason.band.prorated": " De score is naar rato berekend (ontbrekende items).",
        "reason.composition": "Groepssamenstelling, huis {house}: {title} ({details}).",
        "change": "{item}: van {old:g} naar {new:g} geeft totaal {total:.1f} en advies '{advice}'.",
        "change.no_total": "{item}: van {old:g} naar {new:g} geeft advies '{advice}' (zonder totaalscore).",
        "no_change": "Geen enkele wijziging van één item verandert dit advies.",
        "none": "geen",
        "advice_not_decision": "Dit is een advies; de commissie beslist en legt een afwijking met redenen vast.",
        # change since the previous assessment (weegtool.change, weegtool.change_text)
        "since.title": "Verandering sinds de vorige beoordeling",
        "since.intro": "Vergeleken met de beoordeling van {date} ({instrument}). Advies toen: {old}; nu: {new}.",
        "since.no_date": "een niet vastgelegde datum",
        "since.category_changed": "Het advies is veranderd.",
        "since.category_same": "Het advies is gelijk gebleven.",
        "since.other_version": "De vorige beoordeling gebruikte een andere versie van het instrument "
        "({version}). Vergeleken is alleen via de domeinen die beide versies hebben; het totaal en de "
        "items worden niet vergeleken.",
        "since.not_compared": "Niet vergeleken (alleen in één van de twee versies): {domains}.",
        "since.no_reliability": "Het criteriabestand geeft voor {scores} geen betrouwbaarheid (standaarddeviatie "
        "en betrouwbaarheidscoëfficiënt); die veranderingen staan er zonder oordeel.",
        "since.no_previous": "Van deze kandidaat is geen vorige beoordeling gegeven; er is niets om mee te vergelijken.",
        "since.score": "Score",
        "since.previous": "Vorige",
        "since.current": "Nu",
        "since.delta": "Verschil",
        "since.sdc": "Kleinste detecteerbare verandering",
        "since.rci": "RCI",
        "since.verdict": "Oordeel",
        "since.verdict.improved": "betrouwbaar verbeterd",
        "since.verdict.worsened": "betrouwbaar verslechterd",
        "since.verdict.no_reliable_change": "geen betrouwbare verandering",
        "since.verdict.unknown": "onbekend",
        "since.lower": "lager",
        "since.higher": "hoger",
        "since.sentence.improved": "{title}: {size} punten {way} ({old} naar {new}), meer dan de kleinste "
        "detecteerbare verandering van {sdc} punten: een betrouwbare verbetering.",
        "since.sentence.worsened": "{title}: {size} punten {way} ({old} naar {new}), meer dan de kleinste "
        "detecteerbare verandering van {sdc} punten: een betrouwbare verslechtering.",
        "since.sentence.no_reliable_change": "{title}: {size} punten {way} ({old} naar {new}), binnen de "
        "meetfout (kleinste detecteerbare verandering {sdc} punten): geen betrouwbare verandering.",
        "since.sentence.same": "{title}: gelijk gebleven ({new}).",
        "since.sentence.no_reliability": "{title}: {size} punten {way} ({old} naar {new}). Het "
        "criteriabestand geeft voor deze score geen betrouwbaarheid, dus is niet te zeggen of dit meer "
        "is dan meetfout.",
        "since.sentence.not_assessable": "{title}: niet te vergelijken, want de score ontbreekt in de "
        "{which} beoordeling (te veel ontbrekende informatie).",
        "since.which.previous": "vorige",
        "since.which.current": "huidige",
        "since.sentence.other_version": "{title}: niet vergeleken, want het totaal van twee versies van "
        "het instrument is niet dezelfde maat.",
        "since.meaning": "Een verandering is betrouwbaar als de betrouwbare-veranderingsindex (RCI, "
        "Jacobson & Truax 1991) groter is dan {z} of kleiner dan -{z}: door meetfout alleen ontstaat zo'n "
        "verschil bij minder dan 5% van de herbeoordelingen van iemand die niet veranderd is. Een hogere "
        "score betekent zwaardere problemen, behalve bij beschermende factoren, waar hoger meer "
        "bescherming betekent.",
        "since.items": "Items die het meest veranderden (bijdrage aan het totaal)",
        "since.item": "{text} ({item}): score {old:g} naar {new:g}, {delta} punten",
        "since.no_items": "Geen item veranderde van bijdrage.",
        "since.source": "Betrouwbaarheid van {title}: {coefficient} {r}, SD {sd} punten; uit {data}, "
        "{candidates} kandidaten, {raters} beoordelaars.",
    },
    "en": {
        "report.title": "Admission advice",
        "report.candidate": "Candidate (pseudonym)",
        "report.date": "Date of assessment",
        "report.purpose": "Purpose",
        "report.purpose.admission": "admission",
        "report.purpose.review": "review",
        "report.committee": "Committee",
        "report.raters": "{n} rater(s)",
        "report.instrument": "Instrument",
        "report.status.concept": "concept: weights and cut-offs are provisional",
        "report.status.calibrated": "calibrated",
        "report.consent": "Consent (WGBO)",
        "report.sources": "Information sources used",
        "report.source_doubts": "Doubt about the quality of the information",
        "report.yes": "yes",
        "report.no": "no",
        "report.unknown": "not recorded",
        "report.advice": "Advice",
        "report.advice_sentence": "The instrument advises: {title}.",
        "report.suitability_sentence": "Suitable for the housing form: {title}; group composition: {fit}.",
        "report.group_fit.fits": "fits house {house}",
        "report.group_fit.conflicts": "does not fit the group now",
        "report.group_fit.not_checked": "not checked",
        "report.direction": "Direction of the placement",
        "report.review_date": "Review of the perspective plan by",
        "report.reasons": "Reasons",
        "report.counterfactual": "What would change the advice",
        "report.margin": "Margin to the nearest band boundary",
        "report.profile": "Domain profile",
        "report.profile_desc": "Domain scores from 0 to 100 with the band boundaries of the total score. {values}",
        "report.total": "Total",
        "report.items": "Items per domain",
        "report.item": "Item",
        "report.rating": "Rating",
        "report.anchor": "Description of this level",
        "report.raters_col": "Raters",
        "report.spread": "Spread",
        "report.weight": "Weight",
        "report.contribution": "Contribution",
        "report.for_discussion": "for discussion",
        "report.notes": "Evidence",
        "report.critical": "Critical item",
        "report.between": "between {a} and {b}",
        "report.not_rated": "not rated",
        "report.domain_score": "domain score {score}",
        "report.prorated": "prorated",
        "report.flags": "Contra-indications and flags",
        "report.flag_hard": "hard",
        "report.flag_soft": "soft",
        "report.flag_info": "information",
        "report.flag_justify": "Committee's justification (required):",
        "report.no_flags": "No contra-indications or flags recorded.",
        "report.composition": "Group composition",
        "report.no_conflicts": "No conflicts with the current residents.",
        "report.free_places": "free places",
        "report.decision": "Committee decision",
        "report.decision_follows": "The committee follows the advice.",
        "report.decision_deviates": "The committee deviates from the advice and decides: {title}.",
        "report.decision_items": "Justified by the items",
        "role.admin": "administrator",
        "role.coordinator": "coordinator",
        "role.chair": "chair",
        "role.rater": "rater",
        "role.researcher": "researcher",
        "report.dissent": "Dissent",
        "detail.residents": "residents",
        "detail.capacity": "places",
        "detail.group": "group",
        "detail.staff_on_duty": "staff on duty",
        "detail.max_per_staff": "at most per staff member",
        "detail.flag": "flag",
        "detail.max": "at most",
        "detail.candidate_flag": "the young person's flag",
        "detail.resident_flag": "a resident's flag",
        "detail.age": "age",
        "detail.age_range": "age range",
        "detail.main_problem": "main problem",
        "decision.category": "the decision: category must be one of {categories}; got {category!r}.",
        "decision.follows": "the decision: follows_advice is {follows} but the advice is {advice!r} and the decision "
        "{decision!r}.",
        "decision.items": "the decision: items {items} are not items of {instrument}.",
        "decision.deviation": "the decision: a deviation from the advice needs a written justification citing the "
        "items it rests on.",
        "decision.soft": "the decision: a soft flag needs a written justification citing the items it rests on; "
        "flagged: {flags}.",
        "decision.members": "the decision: needs at least two committee members; got {n}.",
        "decision.scientist": "the decision: needs a registered behavioural scientist (SKJ or BIG) among the "
        "signatories.",
        "decision.not_hard": "the decision: flag {flag!r} is not a hard flag of this candidate.",
        "decision.hard_flag": "the decision: placing despite a hard contra-indication ({flags}) "
        "takes overriding it, with a justification citing items and two signatures.",
        "decision.override": "the decision: overriding a hard flag needs a justification citing items, and two "
        "signatures.",
        "signer.member": "{name} is not an active committee member and cannot sign.",
        "signer.took_part": "{name} has not handed in a rating (an empty form when not rating) and so did not take "
        "part: the signature does not count.",
        "signer.password": "The password of {name} is not right; the signature does not count.",
        "signer.one_time": "{name} still has a one-time password: they log in and choose their own first.",
        "report.signatories": "Signatures",
        "report.role": "Role",
        "report.registration": "Registration (SKJ/BIG)",
        "report.name": "Name",
        "report.signature": "Signature",
        "report.decision_blank": "Follow the advice or deviate (with a justification and the items it rests on):",
        "report.appendix": "Appendix: how the score is computed",
        "report.appendix_text": "Each item is rated on an anchored scale. The raters' ratings are combined ({aggregation}). Per domain a weighted mean of the items is scaled to 0-100; when an item is missing (within the allowed margin) the score is prorated and says so. The total is the weighted mean of the domains; {protective}. The higher the total, the heavier the need for care. An item's contribution is the points it adds to the total; the contributions add up to the total.",
        "report.protective.lowers": "protective factors lower the total",
        "report.protective.beside": "protective factors are shown beside the total and do not count in it",
        "report.aggregation.median": "median",
        "report.aggregation.mean": "mean",
        "report.aggregation.min": "lowest",
        "report.aggregation.max": "highest",
        "report.domain_weight": "Weight in the total",
        "report.bands": "Bands",
        "report.generated": "Made with weegtool {version}",
        "report.cohort": "Cohort overview",
        "report.cohort_counts": "Counts per advice",
        "report.cohort_directions": "Counts per direction",
        "report.cohort_disputed": "Items most often for discussion",
        "report.cohort_hard": "Candidates with a hard contra-indication",
        "report.cohort_candidates": "Candidates",
        "report.count": "Count",
        "report.none": "none",
        "label.item": "Item",
        "label.rating": "Rating",
        "label.spread": "Spread",
        "label.weight": "Weight",
        "label.contribution": "Contribution",
        "label.domain": "Domain",
        "label.total": "Total",
        "label.advice": "Advice",
        "label.reasons": "Reasons",
        "label.changes": "Smallest change that changes the advice",
        "label.critical": "Critical items",
        "label.direction": "Direction",
        "label.review": "Review",
        "label.disputed": "for discussion",
        "label.not_assessable": "not assessable",
        "label.candidate": "Candidate",
        "label.band": "Band",
        "label.flags": "Flags",
        "label.house": "House",
        "direction.long_term": "Long-term home (behaviour overasks foster or family home)",
        "direction.cannot_live_home": "Cannot or will not live at home any more",
        "direction.temporary_back_home": "Temporary, perspective back home",
        "direction.crisis": "Temporary interruption or crisis",
        "reason.precondition.unknown": "Precondition '{title}' is not recorded ({field} missing): find out first.",
        "reason.precondition.age": "Age {value} lies outside the housing form's range of {low}-{high} years.",
        "reason.precondition": "Precondition not met: {title}",
        "reason.missing": "Too much information missing: {missing} of {items} items "
        "(allowed {allowed:.0%}); domains not assessable: {domains}.",
        "reason.hard_flag": "Hard contra-indication: {title}. {meaning}",
        "reason.overridden_flag": "Hard contra-indication '{title}' overridden by the committee: "
        "{justification} (signed: {signatories}).",
        "reason.soft_flag": "Soft contra-indication: {title}. Discuss and justify in writing. {meaning}",
        "reason.info_flag": "Group composition marker: {title}.",
        "reason.ceiling": "Domain {title} scores {score:.1f}, at or above the ceiling {at:g}.",
        "reason.band": "Total score {total:.1f} lies in band '{band}' ({low:g}-{high:g}); "
        "margin {margin} points to band '{nearest}'.",
        "reason.band.prorated": " The score is prorated (items missing).",
        "reason.composition": "Group composition, house {house}: {title} ({details}).",
        "change": "{item}: from {old:g} to {new:g} gives total {total:.1f} and advice '{advice}'.",
        "change.no_total": "{item}: from {old:g} to {new:g} gives advice '{advice}' (without a total).",
        "no_change": "No change of a single item changes this advice.",
        "none": "none",
        "advice_not_decision": "This is an advice; the committee decides and records any deviation with reasons.",
        # change since the previous assessment (weegtool.change, weegtool.change_text)
        "since.title": "Change since the previous assessment",
        "since.intro": "Compared with the assessment of {date} ({instrument}). Advice then: {old}; now: {new}.",
        "since.no_date": "an unrecorded date",
        "since.category_changed": "The advice has changed.",
        "since.category_same": "The advice is the same.",
        "since.other_version": "The previous assessment used another version of the instrument "
        "({version}). It is compared only through the domains both versions have; the total and the "
        "items are not compared.",
        "since.not_compared": "Not compared (in only one of the two versions): {domains}.",
        "since.no_reliability": "The criteria file gives no reliability (standard deviation and "
        "reliability coefficient) for {scores}; those changes are shown without a verdict.",
        "since.no_previous": "No previous assessment of this candidate was given; there is nothing to compare with.",
        "since.score": "Score",
        "since.previous": "Previous",
        "since.current": "Now",
        "since.delta": "Change",
        "since.sdc": "Smallest detectable change",
        "since.rci": "RCI",
        "since.verdict": "Verdict",
        "since.verdict.improved": "reliably improved",
        "since.verdict.worsened": "reliably worse",
        "since.verdict.no_reliable_change": "no reliable change",
        "since.verdict.unknown": "unknown",
        "since.lower": "lower",
        "since.higher": "higher",
        "since.sentence.improved": "{title}: {size} points {way} ({old} to {new}), more than the smallest "
        "detectable change of {sdc} points: a reliable improvement.",
        "since.sentence.worsened": "{title}: {size} points {way} ({old} to {new}), more than the smallest "
        "detectable change of {sdc} points: a reliable worsening.",
        "since.sentence.no_reliable_change": "{title}: {size} points {way} ({old} to {new}), within the "
        "measurement error (smallest detectable change {sdc} points): no reliable change.",
        "since.sentence.same": "{title}: unchanged ({new}).",
        "since.sentence.no_reliability": "{title}: {size} points {way} ({old} to {new}). The criteria "
        "file gives no reliability for this score, so whether this is more than measurement error "
        "cannot be said.",
        "since.sentence.not_assessable": "{title}: cannot be compared, as the score is missing from the "
        "{which} assessment (too much information missing).",
        "since.which.previous": "previous",
        "since.which.current": "current",
        "since.sentence.other_version": "{title}: not compared, as the totals of two versions of the "
        "instrument are not the same measure.",
        "since.meaning": "A change is reliable when the reliable change index (RCI, Jacobson & Truax "
        "1991) is above {z} or below -{z}: measurement error alone gives so large a difference in fewer "
        "than 5% of reassessments of someone who has not changed. A higher score means heavier "
        "problems, except for protective factors, where higher means more protection.",
        "since.items": "Items that changed most (contribution to the total)",
        "since.item": "{text} ({item}): rating {old:g} to {new:g}, {delta} points",
        "since.no_items": "No item changed its contribution.",
        "since.source": "Reliability of {title}: {coefficient} {r}, SD {sd} points; from {data}, "
        "{candidates} candidates, {raters} raters.",
    },
}


def check_lang(lang: str) -> str:
    if lang not in LANGUAGES:
        raise ValueError(f"The 'lang' parameter must be one of {LANGUAGES}. Got {lang!r} instead.")
    return lang


def text(key: str, lang: str = "nl", **values: Any) -> str:
    return CATALOGUE[check_lang(lang)][key].format(**values)


def role_title(role: str, lang: str = "nl") -> str:
    """A committee role in words (a role the catalogue does not know, e.g. from a decisions file, as given)."""
    return CATALOGUE[check_lang(lang)].get(f"role.{role}", role)


def direction_title(direction: str | None, lang: str = "nl") -> str:
    return text(f"direction.{direction}", lang) if direction else text("none", lang)


def describe_reason(reason: Any, instrument: Instrument, lang: str = "nl") -> str:
    """One sentence for a :class:`~weegtool.rules.Reason`, with its numbers: the reason's type
    chooses it (:meth:`~weegtool.rules.Reason.words`)."""
    return str(reason.words(instrument, check_lang(lang)))


def describe_change(change: Any, instrument: Instrument, lang: str = "nl") -> str:
    return text(
        "change" if change.total_to is not None else "change.no_total",
        lang,
        item=change.item,
        old=change.rating_from,
        new=change.rating_to,
        total=change.total_to,
        advice=instrument.category(change.advice_to).title(lang),
    )


def points(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


def detail_label(key: str, lang: str) -> str:
    """A composition conflict's detail in words; the key itself when the catalogue has none."""
    return CATALOGUE[check_lang(lang)].get(f"detail.{key}", key)


def detail_value(key: str, value: Any, instrument: Instrument, lang: str) -> str:
    flags = {f.id for f in instrument.flags}
    if key.endswith("flag") and isinstance(value, str) and value in flags:
        return instrument.flag(value).text(lang)
    if key == "main_problem" and isinstance(value, str) and value in instrument.domain_ids:
        return instrument.domain(value).title(lang)
    if key == "age_range" and isinstance(value, (list, tuple)) and len(value) == 2:
        return f"{value[0]}-{value[1]}"
    return _plain(value)


def _plain(value: Any) -> str:
    if isinstance(value, (list, tuple)):
        return ", ".join(map(str, value)) or "-"
    return str(value)
