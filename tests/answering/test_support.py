"""The claim-level support check: each check on its own, the extractive composer passing by construction, the LLM
composer dropping (or marking) what its cited passages do not say, and `guideqa eval support` on cases built here."""

from __future__ import annotations

import hashlib
import json
import re

import pytest
from langchain_core.language_models.fake_chat_models import FakeListChatModel

from assistant.citations import normalise
from assistant.compose import statements_of
from assistant.support import NOT_SUPPORTED, check_support, quantities
from assistant.vocabulary import load_vocabulary
from tests.conftest import CORPUS, PROJECT_ROOT, guideqa

VOCAB = load_vocabulary(CORPUS / "rules", CORPUS / "lexicon.yaml")
MONITORING = (
    "- During an active infection, secondary summaries suggest checking trough IgG about every 2 weeks and adjusting the "
    "IVIG dose, because catabolism is increased [@droracle-2025]\n"
    "- The Ontario guidelines aim for a trough IgG above 500 mg/dL during replacement, ideally about 700 mg/dL [@ontario-ig]\n"
    "- Renal function and fluid status should be checked before each IVIG infusion in an acutely unwell patient, because "
    "sepsis and volume depletion raise the risk of IVIG-related kidney injury [@privigen-uspi]"
)
PASSAGE = [(["IVIG in severe hypogammaglobulinemia with an active infection", "Monitoring"], MONITORING)]
RECOMMENDATION = [(["Recommendations", "Pharmacotherapy"],
                   "12. We suggest offering cognitive behavioral therapy for insomnia to adults with chronic insomnia disorder.\n"
                   "(Weak for | Reviewed, New-added)")]


def check(statement: str, passages=PASSAGE):
    return check_support(statement, passages, VOCAB)


def has(verdict, prefix: str) -> bool:
    return any(r.startswith(prefix) for r in verdict.reasons)


def test_a_faithful_paraphrase_is_supported_with_its_span_as_the_quote():
    verdict = check("The Ontario guidelines aim to keep trough IgG above 500 mg/dL, ideally about 700 mg/dL.")
    assert verdict.supported, verdict.reasons
    assert verdict.quote.startswith("The Ontario guidelines aim for a trough IgG above 500 mg/dL")
    assert "Renal function" not in verdict.quote and "[@" not in verdict.quote


def test_quantities_must_stand_in_the_source_in_any_equivalent_unit():
    assert check("The Ontario guidelines aim for a trough IgG above 5 g/L, ideally about 7 g/L.").supported
    assert check("Secondary summaries suggest checking trough IgG about every two weeks during an active infection "
                 "and adjusting the IVIG dose.").supported
    changed = check("During an active infection, secondary summaries suggest checking trough IgG about every 4 weeks and "
                    "adjusting the IVIG dose.")
    assert not changed.supported and has(changed, "quantity '4 weeks'")
    unit = check("The Ontario guidelines aim for a trough IgG above 500 mg/L during replacement, ideally about 700 mg/dL.")
    assert not unit.supported and has(unit, "quantity '500 mg/L'")


def test_quantities_are_read_with_units_ranges_and_number_words():
    found = quantities("0.4-0.8 g/kg once, then 400 mg/kg every 3 or 4 weeks for two months; PHQ-9 of 10")
    assert [(q.raw, q.dim is not None) for q in found] == [((0.4, 0.8), True), ((400, 400), True), ((3, 3), True),
                                                          ((4, 4), True), ((2, 2), True), ((10, 10), False)]
    assert found[0].low == pytest.approx(0.4) and found[1].low == pytest.approx(0.4)  # 400 mg/kg is 0.4 g/kg


@pytest.mark.parametrize("statement,entity", [
    ("In children, renal function and fluid status should be checked before each IVIG infusion.", "populations:child"),
    ("Renal function and fluid status should be checked before each IVIG infusion in Kawasaki disease.", "indications:kawasaki"),
    ("Renal function should be checked before each heparin infusion in an acutely unwell patient.", "substance:heparin"),
    ("Renal function and fluid status should be checked before each subcutaneous infusion in an acutely unwell patient.",
     "route:subcutaneous"),
])
def test_entities_the_source_does_not_name_make_a_statement_unsupported(statement, entity):
    verdict = check(statement)
    assert not verdict.supported and any(r.startswith("names") and entity in r for r in verdict.reasons), verdict.reasons


def test_an_entity_named_only_in_the_heading_path_counts():
    verdict = check("In severe hypogammaglobulinemia, renal function and fluid status should be checked before each "
                    "IVIG infusion in an acutely unwell patient.")
    assert verdict.supported, verdict.reasons


def test_polarity_must_agree_both_ways():
    flipped = check("Renal function and fluid status should not be checked before each IVIG infusion in an acutely unwell patient.")
    assert not flipped.supported and has(flipped, "polarity")
    passage = [(["Active infection"], "An active infection does not contraindicate starting IVIG in a patient with severe "
                                      "hypogammaglobulinemia.")]
    assert check("IVIG can be started in a patient with severe hypogammaglobulinemia who has an active infection.", passage).supported
    negated = check("An active infection contraindicates starting IVIG in severe hypogammaglobulinemia.", passage)
    assert not negated.supported and has(negated, "polarity")
    neutral = [(["Testing"], "There is insufficient evidence to recommend for or against pharmacogenetic testing to guide "
                             "the selection of antidepressants.")]
    assert not check("We recommend pharmacogenetic testing to guide the selection of antidepressants.", neutral).supported


def test_recommendation_strength_must_agree_when_both_state_one():
    assert check("The guideline suggests offering cognitive behavioral therapy for insomnia to adults with chronic insomnia "
                 "disorder.", RECOMMENDATION).supported
    strong = check("The guideline recommends offering cognitive behavioral therapy for insomnia to adults with chronic "
                   "insomnia disorder.", RECOMMENDATION)
    assert not strong.supported and has(strong, "strength")


def test_a_word_of_opposite_meaning_is_caught():
    # a bound word beside its quantity is judged with the quantity (assistant/support_bound.py)
    verdict = check("The Ontario guidelines aim for a trough IgG below 500 mg/dL during replacement, ideally about 700 mg/dL.")
    assert not verdict.supported and has(verdict, "number: '500 mg/dL' is a maximum")
    # elsewhere, as a word of opposite meaning
    verdict = check("During an active infection, secondary summaries suggest checking trough IgG about every 2 weeks and "
                    "adjusting the IVIG dose, because catabolism is decreased.")
    assert not verdict.supported and has(verdict, "says 'reduc' where the source says 'increas'")


def test_an_added_claim_leaves_words_uncovered():
    verdict = check("Renal function and fluid status should be checked before each IVIG infusion in an acutely unwell "
                    "patient, and hepatic transaminases and coagulation tests monitored weekly thereafter.")
    assert not verdict.supported and (has(verdict, "coverage") or has(verdict, "adds a claim")), verdict.reasons


def test_abbreviations_count_as_their_concept():
    passage = [(["Dosing"], "Intravenous immunoglobulin is given at 2 g/kg in Kawasaki disease.")]
    assert check("IVIG is given at 2 g/kg in KD.", passage).supported


# ---- the composers --------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("question", [
    "What IVIG dose is used for Kawasaki disease?",
    "What is the IVIG dose for ITP in children?",
    "When should immunoglobulin replacement be considered after rituximab?",
    "What premedication is used before IVIG?",
    "How is IVIG converted to SCIG?",
])
def test_every_extractive_statement_is_supported_by_its_cited_passages(assistant, question):
    answer = assistant.ask(question)
    assert answer.status == "answered"
    stored = assistant.index.get([c.chunk_id for c in answer.citations])
    passages = {c.n: (json.loads(stored[c.chunk_id][1].get("heading_path") or "[]"), stored[c.chunk_id][0])
                for c in answer.citations}
    statements = [(st.text, st.citations) for sec in answer.sections for st in sec.statements if not st.calculated]
    statements += [(re.sub(r"\s*\(grade: [^)]*\)|\s*\[\d+\]", "", piece), [int(n) for n in re.findall(r"\[(\d+)\]", piece)])
                   for piece in re.split(r"(?<=\]\.)\s+", answer.summary)]
    assert len(statements) >= 3
    for text, cited in statements:
        verdict = check_support(text, [passages[n] for n in cited], assistant.vocabulary)
        assert verdict.supported, (text, verdict.reasons)


QUESTION = "What IVIG dose is used for Kawasaki disease?"


def _mixed_reply(make_assistant) -> tuple[str, list[str], list[str]]:
    """A model answer mixing statements of the top passages with unsupported versions of them."""
    base = make_assistant()
    hits = base.retriever.search(QUESTION, k=base.settings.retrieval.k)
    good = [(i + 1, s) for i, hit in enumerate(hits[:3]) for s in statements_of(hit)[:1]]
    with_number = next((i + 1, s) for i, hit in enumerate(hits) for s in statements_of(hit) if re.search(r"\d+(?:\.\d+)?\s*g/kg", s))
    changed = re.sub(r"(\d+(?:\.\d+)?)(\s*g/kg)", lambda m: f"{float(m.group(1)) * 3:g}{m.group(2)}", with_number[1], count=1)
    flipped = "IVIG is contraindicated in Kawasaki disease"
    invented = "IVIG permanently cures hereditary angioedema and prevents every future relapse of psoriasis"
    (n1, s1), (n2, s2), (n3, s3) = good
    reply = (f"{s1} [{n1}].\n## Dosing\n- {s2} [{n2}]\n- {changed} [{with_number[0]}]\n- {s3} [{n3}]\n"
             f"## Pitfalls\n- {invented} [{n1}]\n- {flipped} [{n1}]")
    return reply, [s1, s2, s3], [changed, invented, flipped]


def test_llm_statements_the_cited_passages_do_not_support_are_dropped(make_assistant):
    reply, supported, unsupported = _mixed_reply(make_assistant)
    answer = make_assistant(FakeListChatModel(responses=[reply])).ask(QUESTION)
    assert answer.status == "answered"
    shown = [answer.summary] + [st.text for sec in answer.sections for st in sec.statements]
    body = normalise(" ".join(shown))
    assert all(normalise(s) in body for s in supported)
    assert not any(normalise(s) in body for s in unsupported)
    stored = make_assistant().index.get([c.chunk_id for c in answer.citations])
    for citation in answer.citations:  # the quote is the span the check found, taken from the passage itself
        assert all(normalise(q) in normalise(stored[citation.chunk_id][0]) for q in citation.quote.split(" … "))


def test_under_the_setting_unsupported_statements_are_kept_marked(make_assistant):
    reply, supported, unsupported = _mixed_reply(make_assistant)
    answer = make_assistant(FakeListChatModel(responses=[reply]), llm_unsupported="mark").ask(QUESTION)
    statements = [st for sec in answer.sections for st in sec.statements]
    marked = {normalise(st.text) for st in statements if st.support_note == NOT_SUPPORTED}
    assert marked >= {normalise(s) for s in unsupported[1:]}  # the changed dose is withheld by the dose check as well
    assert not any(st.support_note for st in statements if normalise(st.text) in {normalise(s) for s in supported})


def test_an_llm_answer_left_with_too_little_support_abstains(make_assistant):
    reply = ("IVIG permanently cures hereditary angioedema [1].\n## Dosing\n- Give 9 g/kg of IVIG every day for a year [1]\n"
             "- IVIG is contraindicated in every child with Kawasaki disease [2]")
    answer = make_assistant(FakeListChatModel(responses=[reply])).ask(QUESTION)
    assert answer.status == "abstained" and not answer.sections


# ---- the eval suite ---------------------------------------------------------------------------------------------------

def _case(n: int, doc: str, needle: str, statement: str, label: str, kind: str, drift: bool = False) -> dict:
    text = (PROJECT_ROOT / doc).read_text("utf-8")
    start = text.index(needle)
    end = start + len(needle)
    sha1 = hashlib.sha1(text[start:end].encode("utf-8")).hexdigest()
    return {"id": f"t{n}", "group": f"g{n // 2}", "split": "dev", "source": {"doc": doc},
            "span": {"start": start + (1 if drift else 0), "end": end, "sha1": sha1}, "heading": "Monitoring",
            "statement": statement, "label": label, "kind": kind, "note": ""}


def test_eval_support_reports_precision_recall_and_drifted_spans(tmp_path):
    doc = "corpus/guidelines/ig-active-infection.md"
    needle = "The Ontario guidelines aim for a trough IgG above 500 mg/dL during replacement, ideally about 700 mg/dL"
    rows = [
        _case(1, doc, needle, "The Ontario guidelines target a trough IgG above 5 g/L, ideally about 7 g/L.", "supported", "units"),
        _case(2, doc, needle, "The Ontario guidelines aim for a trough IgG above 300 mg/dL, ideally about 700 mg/dL.",
              "unsupported", "number"),
        _case(3, doc, needle, "In children the Ontario guidelines aim for a trough IgG above 500 mg/dL.", "unsupported",
              "population"),
        _case(4, doc, needle, "The Ontario guidelines aim for a trough IgG above 500 mg/dL.", "supported", "drift", drift=True),
    ]
    cases = tmp_path / "support.jsonl"
    cases.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    result = guideqa("eval", "support", "--cases", str(cases), "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["confusion"] == {"tp": 2, "fp": 0, "fn": 0, "tn": 1}
    assert data["precision_unsupported"] == 1.0 and data["recall_unsupported"] == 1.0 and data["accuracy"] == 1.0
    assert set(data["per_kind"]) == {"units", "number", "population"} and data["per_source"][doc]["n"] == 3
    assert [e["id"] for e in data["errors"]] == ["t4"] and "drifted" in data["errors"][0]["error"]


ITP = [(["IVIG in ITP", "Summary"], "- IVIG raises the platelet count in ITP within days, but the effect is usually temporary.\n"
                                    "- For adults, the total daily dose of acetaminophen (paracetamol) from all sources should "
                                    "not exceed 4 g per day.\n- A corticosteroid such as methylprednisolone or hydrocortisone "
                                    "is added to IVIG premedication for patients with previous severe reactions.")]


def test_a_coordinated_claim_the_span_does_not_make_is_caught():
    verdict = check("IVIG raises the platelet count in ITP within days, and it also causes hepatitis.", ITP)
    assert not verdict.supported and has(verdict, "adds a claim"), verdict.reasons


def test_a_dose_per_day_matches_the_same_amount_a_day():
    assert check("In adults, total acetaminophen from all sources should not exceed 4 g a day.", ITP).supported


def test_a_substance_the_vocabulary_only_names_by_its_class_must_stand_in_the_source():
    verdict = check("A corticosteroid such as dexamethasone is added to IVIG premedication for patients with previous "
                    "severe reactions.", ITP)
    assert not verdict.supported and has(verdict, "names substance:dexamethasone"), verdict.reasons


# ---- classes tuned on evals/cases/support-dev.jsonl -------------------------------------------------------------------

RECS = [(["Recommendations"],
         "7. We recommend that patients with obstructive sleep apnea on positive airway pressure therapy use this treatment "
         "for the entirety of their sleep period. Strong for Reviewed, New-added 8. We suggest continuing positive airway "
         "pressure therapy for patients with obstructive sleep apnea even if the patient is using it for <4 hours per night. "
         "Weak for Reviewed, New-added 9. There is insufficient evidence to recommend for or against hypoglossal nerve "
         "stimulation for patients with obstructive sleep apnea. Neither for nor against Reviewed, New-added")]
TABLE = [(["Table 1. Muscle relaxants"],
          "Generic Starting Dose Max/Day Half-life (in Hours) Cyclobenzaprinec 5 mg TID 30 mg 18 Orphenadrine 100 mg BID "
          "200 mg 14 Eptinezumab-jjmr 100 mg IV every 3 months Erenumab-aooe 70 mg SQ monthly")]


def test_dosing_shorthand_and_comparison_symbols_read_as_words():
    assert check("Cyclobenzaprine starts at 5 mg three times a day, with a daily maximum of 30 mg.", TABLE).supported
    assert check("Orphenadrine is started at 100 mg twice daily.", TABLE).supported
    thrice = check("Orphenadrine is started at 100 mg three times daily.", TABLE)
    # ("three times" reads as "3 times": the row's interval, 2 a day, is not the statement's)
    assert not thrice.supported and has(thrice, "interval: 3 a day is not what the source gives (2 a day)"), thrice.reasons
    assert check("Continuing positive airway pressure is suggested for obstructive sleep apnea even when it is used for "
                 "under 4 hours a night.", RECS).supported


def test_a_table_row_binds_its_values_routes_and_column_header_units_to_its_drug():
    assert check("Cyclobenzaprine has a half-life of about 18 hours.", TABLE).supported  # "(in Hours)" is the column's unit
    swapped = check("Orphenadrine starts at 5 mg twice daily.", TABLE)  # cyclobenzaprine's dose given to orphenadrine
    assert not swapped.supported and has(swapped, "quantity '5 mg'"), swapped.reasons
    assert check("Eptinezumab is given as 100 mg intravenously every 3 months.", TABLE).supported  # "-jjmr" and IV
    route = check("Eptinezumab is given as 100 mg subcutaneously every 3 months.", TABLE)  # SQ is erenumab's row
    assert not route.supported and has(route, "route"), route.reasons


def test_durations_agree_within_a_percent_and_interval_words_read_as_numbers():
    passage = [(["Monitoring"], "A new IgG steady state is reached about 3-6 months after replacement is started, and trough "
                                "IgG is checked every 2 weeks during an active infection.")]
    assert check("A new IgG steady state is reached about 13-26 weeks after replacement is started.", passage).supported
    assert check("During an active infection trough IgG is checked fortnightly.", passage).supported
    changed = check("During an active infection trough IgG is checked quarterly.", passage)
    assert not changed.supported and has(changed, "quantity '3 months'"), changed.reasons


def test_general_clinical_abbreviations_count_as_their_long_form():
    passage = [(["Renal"], "Escitalopram: CrCl <20 mL/min: 5 mg daily. Avoid TCAs within three months of an acute MI.")]
    assert check("When creatinine clearance is below 20 mL/min, escitalopram is given at 5 mg daily.", passage).supported
    assert check("Tricyclic antidepressants should be avoided within three months after an acute myocardial infarction.",
                 passage).supported


def test_the_closest_graded_recommendation_decides_direction_and_strength():
    assert check("Continuing positive airway pressure in obstructive sleep apnea despite use under 4 hours per night is a "
                 "Weak for recommendation.", RECS).supported
    strong = check("Continuing positive airway pressure in obstructive sleep apnea despite use under 4 hours per night is a "
                   "Strong for recommendation.", RECS)  # recommendation 7, in the same passage, is Strong for
    assert not strong.supported and has(strong, "strength"), strong.reasons
    against = check("The guideline suggests against continuing positive airway pressure for obstructive sleep apnea when "
                    "it is used for under 4 hours per night.", RECS)
    assert not against.supported and has(against, "polarity"), against.reasons
    neutral = check("Hypoglossal nerve stimulation is suggested for patients with obstructive sleep apnea.", RECS)
    assert not neutral.supported and has(neutral, "polarity"), neutral.reasons
    assert check("The evidence is not sufficient to recommend for or against hypoglossal nerve stimulation in obstructive "
                 "sleep apnea.", RECS).supported


def test_negation_counts_by_presence_and_a_recommendation_against_is_not_a_double_negative():
    passage = [(["Pharmacotherapy"], "29. For patients with low back pain, we recommend against benzodiazepines. Strong "
                                     "against Reviewed, Not changed")]
    assert check("Benzodiazepines should not be used for low back pain, and this recommendation against them is strong.",
                 passage).supported
    assert not check("Benzodiazepines are recommended for low back pain.", passage).supported


def test_a_stated_grade_must_be_the_sources():
    passage = [(["Kawasaki"], "Children with complete Kawasaki disease should receive IVIG within the first 10 days of "
                              "illness (AHA Class I, Level of Evidence A).")]
    assert check("IVIG within the first 10 days is an AHA Class I, Level of Evidence A recommendation for children with "
                 "complete Kawasaki disease.", passage).supported
    graded = check("IVIG within the first 10 days is an AHA Class IIb, Level of Evidence C recommendation for children "
                   "with complete Kawasaki disease.", passage)
    assert not graded.supported and has(graded, "grade"), graded.reasons


def test_a_word_of_opposite_meaning_counts_only_next_to_the_same_words():
    passage = [(["Adverse effects"], "Renal dysfunction and acute renal failure after IVIG are more common with "
                                     "sucrose-containing products. Infusions should be slower in older patients.")]
    flipped = check("Renal dysfunction and acute renal failure after IVIG are less common with sucrose-containing "
                    "products.", passage)
    assert not flipped.supported and has(flipped, "says"), flipped.reasons
    elsewhere = [(["Titration"], "Start at 3.75 mg each morning for 14 days, then increase to 7.5 mg each morning; if "
                                 "the target is not reached, discontinue by tapering.")]
    assert check("The drug starts at 3.75 mg each morning for 14 days and then rises to 7.5 mg each morning.", elsewhere).supported


def test_a_reversed_preference_is_caught():
    passage = [(["Setting"], "12. We suggest, when applicable, treatment in an acute inpatient rehabilitation program over a "
                             "skilled nursing facility. Weak for Reviewed, New-replaced")]
    assert check("Treatment in an acute inpatient rehabilitation program is suggested over a skilled nursing facility.",
                 passage).supported
    reversed_ = check("The guideline suggests treatment in a skilled nursing facility over an acute inpatient "
                      "rehabilitation program.", passage)
    assert not reversed_.supported and has(reversed_, "preference"), reversed_.reasons


# ---- binding: every element of a statement stands in the one unit that carries its claim ---------------------------

ROWS = [(["Dosing", "Replacement"],
         "- Primary immunodeficiency, children (Ontario): IVIG 0.3-0.6 g/kg every 3-4 weeks\n"
         "- Secondary immunodeficiency, adults (EU core SmPC): IVIG 0.2-0.4 g/kg every 3-4 weeks")]


def test_a_population_or_condition_of_another_row_is_not_bound_to_the_values():
    assert check("In children with primary immunodeficiency, Ontario gives IVIG 0.3-0.6 g/kg every 3-4 weeks.", ROWS).supported
    adults = check("In adults with primary immunodeficiency, Ontario gives IVIG 0.3-0.6 g/kg every 3-4 weeks.", ROWS)
    assert not adults.supported and has(adults, "binding: populations:adult"), adults.reasons
    primary = check("For primary immunodeficiency in adults, the EU SmPC gives IVIG 0.2-0.4 g/kg every 3-4 weeks.", ROWS)
    assert not primary.supported and has(primary, "binding"), primary.reasons


def test_a_warning_is_bound_to_the_drug_its_sentence_names():
    passage = [(["Antidepressants"], "Imipramine is started at 25 mg at bedtime. Nefazodone is associated with "
                                     "life-threatening hepatic failure, and patients should not be re-challenged.")]
    assert check("Nefazodone is associated with life-threatening hepatic failure, so patients should not be re-challenged.",
                 passage).supported
    other = check("Imipramine is associated with life-threatening hepatic failure, so patients should not be re-challenged.",
                  passage)
    assert not other.supported and has(other, "binding: substance:imipramine"), other.reasons


def test_an_interval_of_another_sentence_is_not_bound_to_the_condition():
    passage = [(["Monitoring"], "During an active infection, trough IgG is checked about every 2 weeks. Once the patient is "
                                "stable and free of serious infections, trough IgG is checked about every 6-12 months.")]
    assert check("In stable patients free of serious infections, trough IgG is checked about every 6-12 months.",
                 passage).supported
    swapped = check("In stable patients free of serious infections, trough IgG is checked about every 2 weeks.", passage)
    # the span that covers the statement best is the sentence about stable patients, which gives another interval
    assert not swapped.supported and (has(swapped, "binding: '2 weeks'") or has(swapped, "quantity '2 weeks'")), swapped.reasons


def test_frequency_words_are_bound_to_the_drugs_row():
    table = [(["Table. Antipsychotics"], "Agent Initial dose Aripiprazole 2-5 mg once daily 15 mg Asenapine 5 mg twice "
                                         "daily 20 mg Brexpiprazole 0.5-1 mg daily 3 mg")]
    assert check("Asenapine is started at 5 mg twice daily.", table).supported
    once = check("Asenapine is started at 5 mg once daily.", table)
    assert not once.supported and has(once, "interval"), once.reasons
    assert check("Brexpiprazole is started at 0.5-1 mg once daily.", table).supported  # a bare "daily" is once a day


def test_a_footnote_letter_glued_to_a_drug_keeps_its_row():
    table = [(["Table. Muscle relaxants"], "Generic Starting Dose Max/Day Cyclobenzaprinec 5 mg TID 30 mg "
                                           "Orphenadrinec 100 mg BID 200 mg")]
    assert check("Orphenadrine is started at 100 mg twice daily.", table).supported
    thrice = check("Orphenadrine is started at 100 mg three times daily.", table)
    assert not thrice.supported and has(thrice, "quantity"), thrice.reasons


def test_a_column_header_unit_is_read_in_its_own_unit():
    table = [(["Table. Benzodiazepines"], "Generic Name Half-life Parent Drug (in Hours) Chlordiazepoxide 24 - 48 "
                                          "Lorazepam 10 - 20")]
    assert check("Chlordiazepoxide has a parent half-life of 24-48 hours.", table).supported
    minutes = check("Chlordiazepoxide has a parent half-life of 24-48 minutes.", table)
    assert not minutes.supported and has(minutes, "quantity"), minutes.reasons


def test_an_amount_per_dose_is_not_an_amount_per_day():
    assert check("For adults, total acetaminophen from all sources should not exceed 4 g per day.", ITP).supported
    per_dose = check("For adults, total acetaminophen from all sources should not exceed 4 g per dose.", ITP)
    assert not per_dose.supported and has(per_dose, "quantity '4 g per dose'"), per_dose.reasons


# ---- polarity: implicit negation, clauses cut elsewhere, table cells ---------------------------------------------

def test_implicit_negation_reads_as_negation():
    passage = [(["Obesity"], "Earlier national guidance recommended adjusted-weight dosing in obesity, but this advice was "
                             "not retained in later editions. The 650 mg/dL cut-off is not found in the primary guidelines. "
                             "A target quoted from an older label may differ from the current label.")]
    assert check("Earlier national guidance advised adjusted-weight dosing in obesity, but later editions dropped that "
                 "advice.", passage).supported
    assert check("The 650 mg/dL cut-off is absent from the primary guidelines.", passage).supported
    assert check("A target quoted from an older label may not match the current label.", passage).supported
    assert not check("The 650 mg/dL cut-off is found in the primary guidelines.", passage).supported


def test_a_statement_that_cuts_the_sources_clause_elsewhere_keeps_its_polarity():
    passage = [(["Obesity"], "Because clinical need varies widely between patients, Hodkinson concluded that obesity should "
                             "not be a major factor in immunoglobulin dosing decisions.")]
    assert check("Hodkinson concluded that, because clinical need varies widely between patients, obesity should not be a "
                 "major factor in immunoglobulin dosing decisions.", passage).supported
    assert not check("Hodkinson concluded that, because clinical need varies widely between patients, obesity should be a "
                     "major factor in immunoglobulin dosing decisions.", passage).supported


def test_a_table_cell_cut_by_a_semicolon_keeps_its_negation_and_its_drug():
    table = [(["Table. Antipsychotics"], "Agent Initial dose Hepatic Asenapine 5 mg twice daily Severe; contraindicated "
                                         "Brexpiprazole 0.5-1 mg daily No change")]
    assert check("Asenapine is contraindicated in severe hepatic impairment.", table).supported
    assert check("Brexpiprazole is started at 0.5-1 mg daily.", table).supported
