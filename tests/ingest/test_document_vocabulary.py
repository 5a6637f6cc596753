"""A site's own guidelines teach the question reader their conditions: from each title, with the shorter names and the
acronyms the document itself uses."""

from __future__ import annotations

from assistant.vocabulary import document_conditions

SLEEP = "VA/DoD Clinical Practice Guideline for the Management of Chronic Insomnia Disorder and Obstructive Sleep Apnea"
SLEEP_TEXT = ("Chronic insomnia disorder is common. Obstructive sleep apnea (OSA) is common too. Insomnia affects sleep; "
              "treating insomnia with CBT-I helps. Cognitive behavioral therapy for insomnia (CBT-I) is first line.")


def words_of(terms):
    return {t.label: t.terms for t in terms}


def test_a_title_gives_its_conditions_with_the_shorter_names_the_document_uses():
    found = words_of(document_conditions({"sleep": SLEEP}, {"sleep": SLEEP_TEXT}))
    assert "insomnia" in found["Chronic Insomnia Disorder"]  # "a question about insomnia" reads as this guideline's
    assert "osa" in found["Obstructive Sleep Apnea"]


def test_a_shorter_name_the_document_never_uses_alone_is_not_taken():
    found = words_of(document_conditions({"sleep": SLEEP}, {"sleep": "Chronic insomnia disorder is common."}))
    assert found["Chronic Insomnia Disorder"] == ("chronic insomnia disorder",)


def test_care_words_people_and_setting_are_not_the_condition():
    titles = {"oa": "VA/DoD Clinical Practice Guideline for the Non-surgical Management of Hip & Knee Osteoarthritis",
              "lla": "VA/DoD Clinical Practice Guideline for Rehabilitation of Individuals with Lower Limb Amputation",
              "dm": "VA/DoD Clinical Practice Guideline for the Management of Type 2 Diabetes Mellitus In Primary Care",
              "lbp": "VA/DoD CPG the Diagnosis and Treatment of Low Back Pain"}
    labels = set(words_of(document_conditions(titles, {})))
    assert {"Hip Osteoarthritis", "Knee Osteoarthritis", "Lower Limb Amputation", "Type 2 Diabetes Mellitus",
            "Low Back Pain"} <= labels


def test_a_broad_word_never_stands_for_a_condition_and_an_adjective_gives_its_noun():
    titles = {"lbp": "Guideline for the Management of Low Back Pain", "mdd": "Guideline for the Management of Major Depressive Disorder"}
    texts = {"lbp": "Low back pain hurts. Pain is common; pain and back pain. Acute back pain.", "mdd": "Depression is common. Depression recurs."}
    found = words_of(document_conditions(titles, texts))
    assert "pain" not in found["Low Back Pain"] and "back pain" in found["Low Back Pain"]
    assert "depression" in found["Major Depressive Disorder"] and "depressive" not in found["Major Depressive Disorder"]


def test_a_condition_the_text_only_defines_with_an_acronym_is_not_the_documents_condition():
    """Its guideline's title does not name it, so the guideline's own passages (a dosing table) would not count as
    being about it."""
    titles = {"sud": "Guideline for the Management of Substance Use Disorders"}
    texts = {"sud": "Patients with opioid use disorder (OUD) and substance use disorders (SUD)."}
    found = words_of(document_conditions(titles, texts))
    assert list(found) == ["Substance Use Disorders"] and "sud" in found["Substance Use Disorders"]


def test_a_long_misspelt_word_is_corrected_to_the_word_the_documents_use():
    from assistant.vocabulary import Vocabulary

    corpus = {"cannabis", "balloon", "balloons", "use", "disorder", "intragastric"}
    vocab = Vocabulary()
    assert vocab.normalise("any meds for cannibis use disorder?", known=lambda w: w in corpus) == "any meds for cannabis use disorder?"
    assert vocab.normalise("intragastric baloon?", known=lambda w: w in corpus) == "intragastric balloon?"
    assert vocab.normalise("intragastric zzyzzx?", known=lambda w: w in corpus) == "intragastric zzyzzx?"


def test_acronyms_are_expanded_singular_or_plural_for_retrieval():
    from dataclasses import replace

    from assistant.vocabulary import Vocabulary, expand_acronyms, expand_lexicon_acronyms

    vocab = replace(Vocabulary(), acronyms=(("SNRI", "serotonin-norepinephrine reuptake inhibitor"),))
    assert "serotonin-norepinephrine reuptake inhibitor" in expand_acronyms("SNRIs for fibromyalgia?", vocab)
    assert "repetitive transcranial magnetic stimulation" in expand_lexicon_acronyms("rTMS after mTBI?")
    assert expand_lexicon_acronyms("is it worth the hbot?").endswith("hbot?")  # typed in lower case: a word, left alone


def test_drug_classes_come_from_the_lexicon_and_the_drug_dictionary():
    from assistant.vocabulary import drug_classes, question_alternatives

    classes = dict(drug_classes("clonazepam or sertraline"))
    assert "benzodiazepines" in classes["clonazepam"] and "ssris" in classes["sertraline"]
    alternatives = question_alternatives("any meds for it? start dose and max?")
    assert frozenset({"pharmacotherapi"}) in alternatives["med"] and frozenset({"initi"}) in alternatives["start"]


def test_a_question_names_a_condition_of_the_shared_list_as_whole_words():
    from assistant.vocabulary import named_conditions

    labels = [label for label, _, _ in named_conditions("outpatient community acquired pneumonia abx choice for a healthy 40yo?")]
    assert labels == ["community-acquired pneumonia"]
    assert named_conditions("CLL with 3 pneumonias in a year - IVIG?") == []  # a history of infections is no condition asked
    assert named_conditions("capsaicin cream for knee OA?") == []  # "cap" inside a word is not the condition


def test_the_long_forms_passages_give_a_questions_acronyms():
    from assistant.vocabulary import defined_long_forms

    text = "The Work Group recommends against the use of hyperbaric oxygen therapy (HBOT) for symptoms after mTBI."
    assert defined_long_forms("HBOT for post concussive sx - how strong is the rec?", [text]) == ["hyperbaric oxygen therapy"]
    assert defined_long_forms("CBT for insomnia?", [text]) == []


def test_a_guideline_about_a_condition_is_about_the_kinds_of_it_it_names_often():
    title = {"ha": "Guideline for the Primary Care Management of Headache"}
    text = {"ha": "Headache is common. Migraine is a headache. Preventing migraine helps; episodic migraine and chronic "
                  "migraine differ. Cluster headache is rare."}
    found = words_of(document_conditions(title, text))
    assert "migraine" in found["Headache"]  # named four times: "migraine prevention" asks this guideline
    assert "cluster headache" not in found["Headache"]  # named once: not taken
