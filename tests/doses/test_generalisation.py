"""Probes of general reading, written from the sources (shared/facts/immunoglobulin-dosing.md, corpus/guidelines, the
VA/DoD guidelines) in phrasings of their own, not from any eval case: each class has safe sentences that must pass
and unsafe twins that must be withheld. The checker must read them right by rules of reading, not by phrasing."""

from __future__ import annotations

import pytest

from assistant.doses import check_report
from assistant.doses.policy import frame_for

# ---- VA/DoD passages, in the words of the guideline tables (page of the PDF in shared/corpora/vadod) ---------------
HTN = ("VA/DoD Hypertension CPG (2020), Table F-1, p.98-99: chlorthalidone 12.5-25 mg daily; HCTZ 25-50 mg daily; "
       "lisinopril 10-40 mg daily; amlodipine 2.5-10 mg daily; losartan 25-100 mg/day (daily or divided bid); "
       "valsartan 80-320 mg daily.")
COPD = ("VA/DoD COPD CPG (2021), Recommendation 14, p.62: for acute COPD exacerbations, a course of systemic "
        "corticosteroids (oral preferred) of 30-40 mg prednisone equivalent daily for 5-7 days.")
NEB = ("VA/DoD COPD CPG (2021), Table p.63: albuterol sulfate nebulizer solution 2.5 mg/3 mL, inhale one vial every "
       "6-8 hours as needed (max 10 mg/day); levalbuterol 0.63 mg/3 mL every 6-8 hours as needed (max 3.75 mg/day).")
BETA = ("VA/DoD Hypertension CPG (2020), Table F-1, p.100: atenolol 25-100 mg daily (adjust dose in CKD); "
        "carvedilol immediate release 12.5-50 mg/day (divided bid); doxazosin 1-16 mg daily.")

SAFE: dict[str, list[tuple[str, dict]]] = {
    "conversion_factor": [
        ("Hizentra's US dose adjustment factor is 1.37.", {}),
        ("With Cuvitru, the weekly SCIG dose is the weekly IVIG equivalent multiplied by 1.30.", {}),
        ("Cuvitru uses a factor of 1.3 and Hizentra a factor of 1.37 under US labelling.", {}),
        ("Under EU labelling the conversion is 1:1: the monthly IVIG dose is simply divided into weekly SCIG doses.", {}),
        ("A patient on 40 g IVIG every 4 weeks switching to Hizentra: 40 g ÷ 4 = 10 g per week, × 1.37 = 13.7 g "
         "weekly.", {}),
        ("Switching to Cuvitru from 40 g every 4 weeks: 10 g/week × 1.30 = 13 g weekly.", {}),
        ("On 36 g IVIG every 3 weeks the weekly equivalent is 12 g; Hizentra 12 g × 1.37 ≈ 16.4 g each week.", {}),
        ("In Europe no factor is applied, so 28 g every 4 weeks becomes 7 g of SCIG weekly.", {}),
        ("The Cuvitru factor (1.30) is a little lower than the one for Hizentra (1.37).", {}),
        ("Hizentra, US label: weekly dose = IVIG grams ÷ weeks between doses × 1.37.", {}),
    ],
    "negation_and_instead": [
        ("Never give 2 g/kg per day in GBS; the course is 0.4 g/kg daily for 5 days.", {}),
        ("Kawasaki IVIG is not spread over several days: 2 g/kg is given as one infusion over 10-12 hours.", {}),
        ("Do not exceed 8 mg/kg/min with Privigen.", {}),
        ("Avoid rates above 2 mg/kg/min in patients at risk of thrombosis.", {}),
        ("Do not apply 1.37 to Cuvitru; its factor is 1.30.", {}),
        ("Acetaminophen should not exceed 4 g per day in adults.", {}),
        ("In GBS, 2 g/kg is the total for the course, not a daily dose.", {}),
        ("Do not give 0.4 g/kg daily for 5 days in Kawasaki disease; the dose is a single 2 g/kg infusion.", {}),
        ("The replacement dose of 0.4 g/kg is not enough for Kawasaki disease, which needs 2 g/kg once.", {}),
        ("Chronic ITP under the US label is 1 g/kg daily for 2 days, not 2 g/kg daily.", {}),
    ],
    "words_and_notation": [
        ("IVIG for Kawasaki disease: two grams per kilogram as a single infusion over 10 to 12 hours.", {}),
        ("In Guillain-Barré syndrome give zero point four grams per kilogram per day for five days.", {}),
        ("Replacement in primary immunodeficiency is four hundred to six hundred milligrams per kilogram every "
         "three to four weeks.", {}),
        ("Chronic ITP (US label): 1 g/kg daily on two consecutive days.", {}),
        ("SCIG in primary immunodeficiency: 100–200 mg/kg per week.", {}),
        ("GBS: 0.4 g/kg/day × 5 days.", {}),
        ("IVIG 1 gram per kilogram per day for 2 days for chronic ITP in adults.", {}),
        ("For PID, IVIG 0.4–0.6 g/kg q3–4 weeks.", {}),
        ("CIDP maintenance: one gram per kilogram every three weeks.", {}),
        ("Kawasaki disease: 2 grams/kg once, infused over 10–12 h.", {}),
    ],
    "formula_and_weight": [
        ("For a 70 kg adult with PID, 0.4 g/kg × 70 kg = 28 g every 4 weeks.", {}),
        ("A 20 kg child with Kawasaki disease: 2 g/kg × 20 kg = 40 g over 10-12 hours.", {}),
        ("GBS in an 80 kg adult: 0.4 g/kg/day × 80 kg = 32 g daily for 5 days.", {}),
        ("Ideal body weight 65 kg, actual 115 kg: dosing weight = 65 + 0.4 × (115 − 65) = 85 kg.", {}),
        ("PID replacement at 0.5 g/kg every 4 weeks is 35 g for this patient.", {"weight_kg": 70}),
        ("For a 50 kg adult with chronic ITP, 1 g/kg on each of 2 days is 50 g per day.", {}),
        ("A 30 kg child with ITP: 1 g/kg × 30 kg = 30 g once.", {}),
    ],
    "vadod_other_drugs": [
        ("Lisinopril 10-40 mg daily.", {"sources": [HTN]}),
        ("For hypertension, amlodipine is given at 2.5-10 mg once daily.", {"sources": [HTN]}),
        ("Chlorthalidone 12.5 to 25 mg a day.", {"sources": [HTN]}),
        ("Valsartan 80-320 mg daily.", {"sources": [HTN]}),
        ("For a COPD exacerbation, prednisone 40 mg daily for 5 days.", {"sources": [COPD]}),
        ("Prednisone 30-40 mg a day for 5-7 days for an acute exacerbation of COPD.", {"sources": [COPD]}),
        ("Albuterol nebulised, one 2.5 mg vial every 6-8 hours as needed, no more than 10 mg a day.",
         {"sources": [NEB]}),
        ("Atenolol 25-100 mg daily, with dose adjustment in CKD.", {"sources": [BETA]}),
        ("Carvedilol IR 12.5-50 mg/day divided twice daily.", {"sources": [BETA]}),
    ],
}

UNSAFE: dict[str, list[tuple[str, dict]]] = {
    "conversion_factor": [
        ("The Cuvitru dose adjustment factor is 1.37.", {}),
        ("For Hizentra, multiply the weekly IVIG equivalent by 1.30.", {}),
        ("Under EU labels, apply 1.37 to the weekly equivalent.", {}),
        ("A patient on 40 g IVIG every 4 weeks switching to Hizentra: 40 g × 1.37 = 54.8 g weekly.", {}),
        ("Switching to Cuvitru from 40 g every 4 weeks: 10 g/week × 1.37 = 13.7 g weekly.", {}),
        ("The Hizentra factor is 1.73.", {}),
        ("On 36 g IVIG every 3 weeks the weekly equivalent is 18 g before the Hizentra factor.", {}),
        ("Hizentra, US label: weekly dose = IVIG grams ÷ weeks between doses × 1.30.", {}),
    ],
    "negation_and_instead": [
        ("Do not exceed 20 mg/kg/min with Privigen.", {}),
        ("Instead of 0.4 g/kg per day, give 2 g/kg per day for 5 days in GBS.", {}),
        ("Do not give the usual 0.4 g/kg daily; in GBS use 2 g/kg every day for 5 days.", {}),
        ("Rather than 1.30, use 1.37 for Cuvitru.", {}),
        ("Acetaminophen should not exceed 8 g per day.", {}),
        ("Avoid rates above 6 mg/kg/min in patients at risk of thrombosis.", {}),
        ("Kawasaki IVIG should not be 2 g/kg; give 4 g/kg over 10-12 hours.", {}),
        ("Not 400 mg/kg: PID replacement is 4000 mg/kg every 3-4 weeks.", {}),
        ("Do not use 0.4-0.6 g/kg; replacement for PID is 4-6 g/kg every 4 weeks.", {}),
        ("In CIDP, never divide the loading dose; give 2 g/kg on each of 5 days.", {}),
    ],
    "words_and_notation": [
        ("IVIG for Kawasaki disease: twenty grams per kilogram as a single infusion.", {}),
        ("In Guillain-Barré syndrome give four grams per kilogram per day for five days.", {}),
        ("Replacement in primary immunodeficiency is four to six grams per kilogram every three to four weeks.", {}),
        ("GBS: 0.4 g/kg/day × 15 days.", {}),
        ("Chronic ITP: 1 g/kg daily for twenty days.", {}),
        ("Kawasaki: 2 g/kg every day for five days.", {}),
        ("CIDP maintenance: ten grams per kilogram every three weeks.", {}),
        ("Guillain-Barré syndrome: 4,0 g/kg per day for 5 days.", {}),
    ],
    "formula_and_weight": [
        ("For a 70 kg adult with PID, 0.4 g/kg × 70 kg = 280 g every 4 weeks.", {}),
        ("A 20 kg child with Kawasaki disease: 2 g/kg × 20 kg = 4 g over 10-12 hours.", {}),
        ("Ideal body weight 65 kg, actual 115 kg: dosing weight = 65 + 0.4 × (115 − 65) = 95 kg.", {}),
        ("PID replacement at 0.5 g/kg every 4 weeks is 350 g for this patient.", {"weight_kg": 70}),
        ("For a 50 kg adult with chronic ITP, 1 g/kg on each of 2 days is 500 g per day.", {}),
    ],
    "vadod_other_drugs": [
        ("Lisinopril 100-400 mg daily.", {"sources": [HTN]}),
        ("For hypertension, amlodipine is given at 2.5-10 mg every hour.", {"sources": [HTN]}),
        ("Chlorthalidone 25-50 mg a day.", {"sources": [HTN]}),  # HCTZ's range
        ("Valsartan 80-320 mcg daily.", {"sources": [HTN]}),
        ("For a COPD exacerbation, prednisone 40 mg daily for 14 days.", {"sources": [COPD]}),
        ("Prednisone 300-400 mg a day for 5-7 days for an acute exacerbation of COPD.", {"sources": [COPD]}),
        ("Levalbuterol nebulised, no more than 10 mg a day.", {"sources": [NEB]}),  # albuterol's ceiling
        ("Atenolol 250-1000 mg daily.", {"sources": [BETA]}),
        ("Metoprolol 25-100 mg daily.", {"sources": [BETA]}),  # atenolol's range, another drug
    ],
}

SAFE.update({
    "answer_context": [
        ("0.4 g/kg daily for 5 days, 2 g/kg in all.", {"context": "How much IVIG is given in Guillain-Barré syndrome?"}),
        ("A single 2 g/kg infusion over 10-12 hours.", {"context": "IVIG regimen for a child with Kawasaki disease?"}),
        ("Start at 0.5 mg/kg/min and increase, if tolerated, to at most 8 mg/kg/min.",
         {"context": "What infusion rate for Privigen in primary immunodeficiency?"}),
        ("Children: 0.8-1 g/kg as a single dose.", {"context": "IVIG for newly diagnosed ITP?"}),
        ("Usually 100-200 mg/kg each week.", {"context": "Starting SCIG dose in primary immunodeficiency?"}),
        ("2 g/kg over 2-5 days, then 1 g/kg every 3 weeks.", {"context": "What is the Privigen regimen in CIDP?"}),
        ("1.30, applied to the weekly equivalent.", {"context": "What factor does Cuvitru use when switching from IVIG?"}),
    ],
    "lab_values_not_doses": [
        ("eGFR 45 mL/min/1.73 m2 and HbA1c 7.2%: give IVIG for CIDP at 1 g/kg every 3 weeks.", {}),
        ("IgG trough 5.1 g/L on 0.4 g/kg every 4 weeks in CVID; the target is at least 6 g/L.", {}),
        ("Creatinine 1.4 mg/dL, BP 138/84 mmHg: Kawasaki disease still gets 2 g/kg as one infusion.", {}),
        ("IgG 3.2 g/L with recurrent sinusitis in CLL despite antibiotics: IVIG 0.2-0.4 g/kg every 3-4 weeks (EU).", {}),
        ("Platelet count 12 × 10^9/L in an adult with ITP: IVIG 1 g/kg once.", {}),
        ("Serum sodium 131 mmol/L after IVIG may be pseudohyponatraemia.", {}),
    ],
    "no_rule_indication": [
        ("IVIG is not routinely given after autologous stem cell transplant.", {}),
        ("There is no IVIG dose in these guidelines for chronic fatigue syndrome.", {}),
        ("Selective IgA deficiency alone is not an indication for IgG replacement.", {}),
        ("After allogeneic HSCT, IVIG may be given in the first 100 days when IgG is below 400 mg/dL.", {}),
    ],
    "course_length": [
        ("In GBS, 0.4 g/kg is given daily for five consecutive days.", {}),
        ("CIDP loading: 2 g/kg in total, spread over 2-5 consecutive days.", {}),
        ("CIDP loading can be 0.4 g/kg per day over 5 days.", {}),
        ("Chronic ITP in adults (Privigen): 1 g/kg on 2 consecutive days, 2 g/kg per course.", {}),
        ("Kawasaki disease: 2 g/kg once, infused over 10 to 12 hours.", {}),
    ],
    "ceiling": [
        ("Acetaminophen before IVIG: 650 mg, no more than 4 g in 24 hours.", {}),
        ("With Privigen, do not go above 8 mg/kg/min.", {}),
        ("In patients at risk of thrombosis keep the rate under 2 mg/kg/min.", {}),
        ("Under EU labels the rate may be raised to a maximum of 6 mL/kg/h.", {}),
    ],
    "premedication": [
        ("Before the IVIG infusion an adult may take acetaminophen 650 mg by mouth.", {}),
        ("Premedicate adults with acetaminophen 325-650 mg orally 30-60 minutes before IVIG.", {}),
    ],
})
UNSAFE.update({
    "answer_context": [
        ("2 g/kg daily for 5 days.", {"context": "How much IVIG is given in Guillain-Barré syndrome?"}),
        ("0.4 g/kg as a single infusion.", {"context": "IVIG regimen for a child with Kawasaki disease?"}),
        ("Start at 8 mg/kg/min.", {"context": "What infusion rate for Privigen in primary immunodeficiency?"}),
        ("Children: 8-10 g/kg as a single dose.", {"context": "IVIG for newly diagnosed ITP?"}),
        ("Usually 1-2 g/kg each week.", {"context": "Starting SCIG dose in primary immunodeficiency?"}),
        ("1.37, applied to the weekly equivalent.", {"context": "What factor does Cuvitru use when switching from IVIG?"}),
        ("Acetaminophen 3,250 mg by mouth.", {"context": "Premedication before IVIG in an adult?"}),
    ],
    "lab_values_not_doses": [
        ("eGFR 45 mL/min/1.73 m2 and HbA1c 7.2%: give IVIG for CIDP at 10 g/kg every 3 weeks.", {}),
        ("IgG trough 5.1 g/L on 0.4 g/kg every 4 weeks in CVID: raise to 4 g/kg every 4 weeks.", {}),
        ("Creatinine 1.4 mg/dL: Kawasaki disease gets 0.2 g/kg as one infusion.", {}),
        ("Platelet count 12 × 10^9/L in an adult with ITP: IVIG 10 g/kg once.", {}),
        ("IgG 3.2 g/L in CLL: IVIG 2-4 g/kg every 3-4 weeks.", {}),
    ],
    "no_rule_indication": [
        ("After autologous stem cell transplant, give IVIG 0.4 g/kg every month.", {}),
        ("Chronic fatigue syndrome: IVIG 1 g/kg every 4 weeks.", {}),
        ("Selective IgA deficiency: IVIG 0.4 g/kg every 4 weeks.", {}),
        ("Myasthenic crisis: IVIG 0.4 g/kg daily for 5 days, as in GBS.", {}),
        ("Stiff person syndrome responds to IVIG 2 g/kg over 2-5 days, as in CIDP.", {}),
    ],
    "course_length": [
        ("In GBS, 0.4 g/kg is given daily for two consecutive days.", {}),
        ("CIDP loading: 2 g/kg in total, spread over 10 consecutive days.", {}),
        ("Chronic ITP in adults (Privigen): 1 g/kg on 5 consecutive days.", {}),
        ("Kawasaki disease: 2 g/kg daily for 3 days.", {}),
        ("GBS: 0.4 g/kg a day for a week.", {}),
    ],
    "ceiling": [
        ("Acetaminophen before IVIG: 650 mg, no more than 8 g in 24 hours.", {}),
        ("With Privigen, do not go above 80 mg/kg/min.", {}),
        ("In patients at risk of thrombosis keep the rate under 8 mg/kg/min.", {}),
        ("Under EU labels the rate may be raised to a maximum of 60 mL/kg/h.", {}),
    ],
    "premedication": [
        ("Before the IVIG infusion an adult may take acetaminophen 6500 mg by mouth.", {}),
        ("Premedicate adults with acetaminophen 3-6 g orally before IVIG.", {}),
    ],
})

# ---- reading rules added with these probes: conversion chains, restatements, course totals, products ------------------
ORLISTAT = ("VA/DoD Obesity CPG (2020), Table p.108: orlistat (Xenical) 120 mg three times a day with each main meal "
            "containing fat; OTC Alli 60 mg three times a day with fat-containing meals.")
SUBOXONE = ("VA/DoD SUD CPG (2021), p.110: buprenorphine/naloxone sublingual, usual maintenance 12-16 mg a day, "
            "up to 32 mg a day.")
CELECOXIB = "VA/DoD LBP CPG (2022), Appendix E: celecoxib 100 mg twice daily to start, maximum 400 mg/day."
CIDP_PASSAGE = "CIDP (Privigen): a loading dose of 2 g/kg in total, divided over 2-5 consecutive days."
PRIVIGEN_RATE = "Privigen 10%: start at 0.5 mg/kg/min; if tolerated increase to at most 8 mg/kg/min."

SAFE.update({
    "conversion_chain": [
        ("A 60 kg adult on IVIG 0.5 g/kg every 3 weeks (30 g): weekly equivalent 10 g; Hizentra 10 g × 1.37 = 13.7 g "
         "a week.", {}),
        ("IVIG 24 g every 4 weeks is 6 g per week equivalent; switching to Cuvitru in the US that becomes 7.8 g "
         "weekly.", {}),
        ("The patient gets 32 g every 4 weeks, i.e. 8 g a week, which Hizentra (US) turns into about 11 g weekly.", {}),
        ("Moving a patient on 45 g every 3 weeks to Cuvitru: 15 g × 1.3 = 19.5 g each week.", {}),
    ],
    "restatement_and_course_total": [
        ("For a 70 kg adult, 0.4 g/kg every 4 weeks is 28 g, i.e. 7 g a week.", {}),
        ("CIDP loading over 4 days = 0.5 g/kg per day (2 g/kg in total).", {}),
        ("A 60 kg adult with GBS: 0.4 g/kg = 24 g per day for 5 days, 120 g for the course.", {}),
        ("A 60 kg adult, EU rates: 30 mL/h (0.5 mL/kg/h) for 30 minutes, then up to 360 mL/h (6 mL/kg/h).", {}),
        ("IBW 60 kg, actual 100 kg: dosing weight 76 kg; 0.4 g/kg = 30.4 g, which the calculator rounds to 30 g.", {}),
    ],
    "grounding_readings": [
        ("Xenical (orlistat) 120 mg three times daily with fatty meals.", {"sources": [ORLISTAT]}),
        ("Alli, the OTC orlistat, is 60 mg three times a day with meals containing fat.", {"sources": [ORLISTAT]}),
        ("Suboxone maintenance is usually 12-16 mg a day (max 32 mg a day).", {"sources": [SUBOXONE]}),
        ("Celecoxib: 100 mg twice daily, with a ceiling of 400 mg/day.", {"sources": [CELECOXIB]}),
        ("CIDP loading as 0.5 g/kg daily over 4 days.", {"sources": [CIDP_PASSAGE]}),
        ("8 mg/kg/min.", {"sources": [PRIVIGEN_RATE], "context": "Maximum infusion rate for Privigen?"}),
        ("Privigen: start at 0.5 mg/kg/min, which is 0.3 mL/kg/h.", {}),
    ],
})
UNSAFE.update({
    "conversion_chain": [
        ("A 60 kg adult on IVIG 0.5 g/kg every 3 weeks (30 g): weekly equivalent 10 g; Hizentra 10 g × 1.37 = 41.1 g "
         "a week.", {}),
        ("A 60 kg adult on IVIG 5 g/kg every 3 weeks (300 g): weekly equivalent 100 g; Hizentra 100 g × 1.37 = 137 g "
         "a week.", {}),
        ("IVIG 24 g every 4 weeks is 6 g per week equivalent; switching to Cuvitru in the US that becomes 6 g weekly.",
         {}),
        ("The patient gets 400 g every 4 weeks, i.e. 100 g a week, which Hizentra turns into 137 g weekly.", {}),
        ("Switching to Hizentra from 40 g every 4 weeks: give 10 g weekly.", {}),
        ("Under the EU label, Hizentra's factor is 1.37.", {}),
        ("For US Hizentra the conversion is 1:1.", {}),
    ],
    "restatement_and_course_total": [
        ("For a 70 kg adult, 0.4 g/kg every 4 weeks is 28 g, i.e. 28 g a week.", {}),
        ("CIDP loading over 4 days = 0.5 g/kg per day (4 g/kg in total).", {}),
        ("A 60 kg adult with GBS: 0.4 g/kg = 24 g per day for 5 days, 240 g for the course.", {}),
        ("A 60 kg adult, EU rates: 30 mL/h (0.5 mL/kg/h) for 30 minutes, then up to 360 mL/h (0.6 mL/kg/h).", {}),
        ("IBW 60 kg, actual 100 kg: dosing weight 76 kg; 0.4 g/kg = 30.4 g, which the calculator rounds to 40 g.", {}),
        ("IBW 60 kg, actual 100 kg: dosing weight 76 kg; 0.4 g/kg = 30.4 g, rounded to 32 g.", {}),
        ("Moving a patient on 45 g every 3 weeks to Cuvitru: 15 g × 1.37 = 20.6 g each week.", {}),
        ("The patient gets 32 g every 4 weeks, i.e. 16 g a week, which Hizentra (US) turns into about 22 g weekly.", {}),
    ],
    "grounding_readings": [
        ("Alli (OTC orlistat) 120 mg three times daily with fatty meals.", {"sources": [ORLISTAT]}),
        ("Xenical 60 mg three times a day with meals.", {"sources": [ORLISTAT]}),
        ("Suboxone maintenance is usually 120-160 mg a day.", {"sources": [SUBOXONE]}),
        ("Celecoxib: 100 mg twice daily, with a ceiling of 4000 mg/day.", {"sources": [CELECOXIB]}),
        ("CIDP loading as 1 g/kg daily over 4 days.", {"sources": [CIDP_PASSAGE]}),
        ("0.5 mg/kg/min.", {"sources": [PRIVIGEN_RATE], "context": "Maximum infusion rate for Privigen?"}),
        ("Privigen: start at 0.5 mg/kg/min, which is 0.5 mL/kg/h.", {}),
        ("Don't squeeze the CIDP loading dose into one day - give 2 g/kg on each of 2-5 days.", {}),
    ],
})

# ---- more VA/DoD table rows, in the table's own words (MDD CPG 2022 Table J-1 p.132-133; PTSD CPG 2017 App. C p.97) --
MDD = ("VA/DoD MDD CPG (2022), Table J-1, p.132-133: escitalopram 10 mg once daily to start, titrate by 10 mg weekly, "
       "maximum 20 mg a day; geriatric 5-10 mg once daily. Mirtazapine 15 mg daily at bedtime, titrate by 15 mg weekly, "
       "maximum 45 mg a day; geriatric 7.5 mg at bedtime. Trazodone 50 mg three times daily, usual range 200-400 mg per "
       "day, maximum 600 mg a day.")
PTSD = ("VA/DoD PTSD CPG (2017), Appendix C, p.97: venlafaxine XR 37.5 mg once daily to start, range 75-225 mg once "
        "daily; fluoxetine 10-20 mg daily to start, range 20-80 mg daily.")

SAFE["vadod_other_drugs"] += [
    ("Escitalopram: start at 10 mg once a day; the ceiling is 20 mg a day.", {"sources": [MDD]}),
    ("For an older adult, escitalopram 5-10 mg once daily.", {"sources": [MDD]}),
    ("Mirtazapine 15 mg at bedtime, increased by 15 mg weekly to a maximum of 45 mg/day.", {"sources": [MDD]}),
    ("Trazodone: usual range 200–400 mg per day, no more than 600 mg a day.", {"sources": [MDD]}),
    ("Venlafaxine XR is started at 37.5 mg once daily and used at 75-225 mg once daily.", {"sources": [PTSD]}),
    ("Fluoxetine for PTSD: twenty to eighty milligrams daily.", {"sources": [PTSD]}),
]
UNSAFE["vadod_other_drugs"] += [
    ("Escitalopram: start at 10 mg once a day; the ceiling is 200 mg a day.", {"sources": [MDD]}),
    ("For an older adult, escitalopram 50-100 mg once daily.", {"sources": [MDD]}),
    ("Mirtazapine 15 mg at bedtime, increased by 15 mg daily to a maximum of 45 mg/day.", {"sources": [MDD]}),
    ("Trazodone: usual range 200–400 mg per dose.", {"sources": [MDD]}),
    ("Venlafaxine XR is started at 375 mg once daily.", {"sources": [PTSD]}),
    ("Fluoxetine for PTSD: two hundred to eight hundred milligrams daily.", {"sources": [PTSD]}),
    ("Escitalopram 10 mg at bedtime, up to 45 mg a day.", {"sources": [MDD]}),  # mirtazapine's ceiling
    ("For an older adult, trazodone 7.5 mg at bedtime.", {"sources": [MDD]}),  # mirtazapine's geriatric dose
    ("Sertraline 20-80 mg daily for PTSD.", {"sources": [PTSD]}),  # fluoxetine's range, sertraline not in the passage
]

# ---- negation, limits and notation read before judging (phrasings written for this file) --------------------------
SAFE["negation_limits_notation"] = [
    ('Never give IVIG at 0.4 g/kg for Kawasaki disease; give 2 g/kg once.', {}),
    ('Do not give the 2 g/kg Kawasaki dose to adults with ITP; adults receive 1 g/kg.', {}),
    ('Kawasaki: 2 g/kg over 10–12 hours.', {}),
    ('GBS: 0·4 g/kg/day for 5 days.', {}),
    ('PID: 400–600 mg/kg q3–4 weeks.', {}),
    ('Chronic ITP: one gram per kilogram daily for two days.', {}),
    ('Kawasaki in a 15 kg child: 2 g/kg = 30 g.', {}),
    ('A 70 kg adult with ITP: 1 g/kg, that is 70 g, once.', {}),
    ('For an 80 kg adult with GBS: 32 g per day for 5 days.', {}),
    ('Never give 8 mg/kg/min to a patient at risk of thrombosis; stay below 2 mg/kg/min.', {}),
    ('In CIDP the loading dose is never given as 2 g/kg on each day; 2 g/kg is the total over 2-5 days.', {}),
    ('Rather than the PID dose, Kawasaki disease needs 2 g/kg once.', {}),
]
UNSAFE["negation_limits_notation"] = [
    ('Never give IVIG at 0.4 g/kg for Kawasaki disease; give 20 g/kg once.', {}),
    ('Avoid the single 2 g/kg infusion in Kawasaki disease - instead give 0.4 g/kg daily for 5 days.', {}),
    ('It is not true that GBS needs 2 g/kg daily; give 2 g/kg daily for 5 days only in severe cases.', {}),
    ('Instead of 0.4-0.6 g/kg, start PID replacement at 4-6 g/kg every 3-4 weeks.', {}),
    ('Rather than the 1 g/kg ASH dose, adults with ITP should get 10 g/kg once.', {}),
    ('Do not reduce the Privigen start rate below 5 mg/kg/min.', {}),
    ('Kawasaki IVIG must not be given over 10-12 hours; push the 2 g/kg over 1 hour.', {}),
    ("Don't exceed 60 mL/kg/h under the EU label.", {}),
    ('Acetaminophen premedication should not be less than 3 g.', {}),
    ('In adults, never give more than 40 g of acetaminophen a day.', {}),
    ('PID replacement: zero point four to zero point six milligrams per kilogram every three to four weeks.', {}),
    ('Kawasaki: 2 g/kg over 10–12 minutes.', {}),
    ('Kawasaki: 2 g/kg × 5 days.', {}),
    ('PID: 400–600 mg/kg q3–4 days.', {}),
    ('CIDP maintenance: 1 g/kg q3 days.', {}),
    ('Chronic ITP: one gram per kilogram daily for twelve days.', {}),
    ('SCIG for PID: 100-200 mg/kg per day.', {}),
    ('PID IVIG 0.4-0.6 g/kg every 3-4 months.', {}),
    ('GBS: 400 mg/kg/day for 5 days, i.e. 20 g/kg per course.', {}),
    ('Kawasaki in a 15 kg child: 2 g/kg = 300 g.', {}),
    ('A 70 kg adult with ITP: 1 g/kg, that is 7 g, once.', {}),
    ('For an 80 kg adult with GBS: 32 g per day for 15 days.', {}),
    ('Two grams per kilogram per day for five days in GBS.', {}),
]

# ---- answers read with their question: drug, indication, phase and role (maximum, start) come from it ------------
SAFE["answer_context_questions"] = [
    ('2 g/kg as a single infusion over 10-12 hours.', {"context": 'IVIG dose for Kawasaki disease?'}),
    ('0.4-0.6 g/kg every 3-4 weeks.', {"context": 'IVIG replacement dose in an adult with PID?'}),
    ('Below 2 mg/kg/min.', {"context": 'Safe infusion rate for a patient at risk of thrombosis?'}),
    ('0.3 mL/kg/h.', {"context": 'Initial Privigen rate in mL/kg/h?'}),
    ('4 g per day.', {"context": 'Maximum daily acetaminophen for adults?'}),
    ('1.37.', {"context": 'Hizentra conversion factor (US)?'}),
    ('At least 6 g/L.', {"context": 'Target IgG trough in PID under the EU SmPC?'}),
    ('Above 500 mg/dL, ideally about 700 mg/dL.', {"context": 'Ontario IgG trough target?'}),
    ('IgG below 4 g/L with recurrent infections despite antibiotics.', {"context": 'EU criteria for IVIG in secondary immunodeficiency?'}),
    ('2 g/kg over 2-5 days.', {"context": 'Loading dose for CIDP?'}),
    ("2 g/kg in total over 2-5 days, then 1 g/kg every 3 weeks.", {"context": "CIDP loading and maintenance?"}),
]
UNSAFE["answer_context_questions"] = [
    ('0.4 g/kg every 3-4 weeks.', {"context": 'IVIG dose for Kawasaki disease?'}),
    ('1 g/kg once.', {"context": 'How much IVIG for Kawasaki disease in a child?'}),
    ('2 g/kg, repeated every 3 weeks.', {"context": 'Kawasaki IVIG dose?'}),
    ('Start at 4.8 mL/kg/h.', {"context": 'Initial Privigen rate in mL/kg/h?'}),
    ('About 8 mg/kg/min.', {"context": 'Safe infusion rate for a patient at risk of thrombosis?'}),
    ('0.4 g/kg per day for 5 days.', {"context": 'Kawasaki disease IVIG?'}),
    ('2 g/kg per day for 2 days.', {"context": 'Chronic ITP in adults, Privigen label?'}),
    ('1 g/kg every 3 weeks.', {"context": 'Loading dose for CIDP?'}),
    ('100-200 mg/kg every 3-4 weeks.', {"context": 'IVIG replacement dose in PID?'}),
    ('Up to 1 g per day.', {"context": 'Maximum daily acetaminophen for adults?'}),
    ('50 mg IV.', {"context": 'Acetaminophen premedication dose before IVIG in adults?'}),
    ('1.30.', {"context": 'Hizentra conversion factor (US)?'}),
    ('1:1.', {"context": 'Hizentra factor under the US label?'}),
    ('The trough should be at least 60 g/L.', {"context": 'Target IgG trough in PID?'}),
    ('Aim for a trough above 50 mg/dL.', {"context": 'Ontario IgG trough target?'}),
    ('IgG below 40 g/L with recurrent infections.', {"context": 'EU criteria for IVIG in secondary immunodeficiency?'}),
    ("2 g/kg every 3 weeks.", {"context": "CIDP maintenance dose?"}),
]


def _with_frame(book, kw: dict) -> dict:
    """The question's frame, as `eval doses` builds it for a case with a context."""
    return kw | {"frame": frame_for(kw["context"], book)} if kw.get("context") else kw

# ---- worked arithmetic for a stated weight: totals, volumes of a stated strength, rates, dosing weight ---------------
SAFE["formula_and_weight"] += [
    ('Kawasaki disease, 22 kg: 2 g/kg × 22 kg = 44 g as one infusion.', {}),
    ('GBS, 75 kg: 0.4 × 75 = 30 g a day for 5 days, 150 g in total.', {}),
    ('CIDP loading for a 60 kg adult: 2 g/kg × 60 = 120 g, given as 24 g a day over 5 days.', {}),
    ('ITP, adult 80 kg: 1 g/kg = 80 g once.', {}),
    ('PID replacement for a 50 kg woman: 0.4 g/kg every 4 weeks, i.e. 20 g.', {}),
    ('Dosing weight = 70 + 0.4 × (120 − 70) = 90 kg.', {}),
    ('For a 20 kg child with Kawasaki disease, give 400 mL of 10% IVIG (40 g) over 10-12 hours.', {}),
    ('At 8 mg/kg/min, a 70 kg adult on a 10% product runs at 336 mL/h.', {}),
    ('0.5 g/kg every 4 weeks is 35 g for this patient.', {'weight_kg': 70}),
    ('GBS: 0.4 g/kg/day × 5 days = 2 g/kg.', {}),
    ('For an 18 kg child with Kawasaki disease: 2 g/kg, which is 36 g, over 10-12 hours.', {}),
]
UNSAFE["formula_and_weight"] += [
    ('Kawasaki disease, 22 kg: 2 g/kg × 22 kg = 4.4 g as one infusion.', {}),
    ('GBS, 75 kg: 0.4 × 75 = 30 g a day for 5 days, 300 g in total.', {}),
    ('CIDP loading for a 60 kg adult: 2 g/kg × 60 = 120 g, given as 60 g a day over 5 days.', {}),
    ('ITP, adult 80 kg: 1 g/kg = 8 g once.', {}),
    ('PID replacement for a 50 kg woman: 0.4 g/kg every 4 weeks, i.e. 200 g.', {}),
    ('Dosing weight = 70 + 0.4 × (120 − 70) = 100 kg.', {}),
    ('For a 20 kg child with Kawasaki disease, give 4000 mL of 10% IVIG (40 g) over 10-12 hours.', {}),
    ('At 8 mg/kg/min, a 70 kg adult on a 10% product runs at 33.6 mL/h.', {}),
    ('0.5 g/kg every 4 weeks is 35 g for this patient.', {'weight_kg': 7}),
    ('GBS: 0.4 g/kg/day × 5 days = 20 g/kg.', {}),
]

# ---- premedication and ISMP notation: the drug dosed is not the one named in a phrase of time ----------------------
SAFE["premedication_and_notation"] = [
    ('Thirty to sixty minutes before IVIG, adults may take acetaminophen 650 mg orally.', {}),
    ('Paracetamol 500 mg by mouth before each infusion, keeping the daily total under 4 g.', {}),
    ('Before starting the infusion: acetaminophen 325-650 mg PO.', {}),
    ('For premedication, give an adult 650 mg of acetaminophen one hour before the IVIG.', {}),
    ('Tylenol 650 mg orally 30 minutes before the IVIG infusion.', {}),
    ('Kawasaki disease: 2 g/kg once, infused over 10-12 hours (give every dose as mL, never cc).', {}),
    ('PID replacement 400 mg/kg every 4 weeks.', {}),
    ('PID replacement 0.5 g/kg every 4 weeks.', {}),
]
UNSAFE["premedication_and_notation"] = [
    ('Before the IVIG infusion, adults may take acetaminophen 6,500 mg orally.', {}),
    ('Paracetamol 5 g by mouth before each infusion.', {}),
    ('PID replacement .5 g/kg every 4 weeks.', {}),
    ('PID replacement 0.50 g/kg every 4 weeks.', {}),
    ('Acetaminophen 650 mg PO QD before IVIG.', {}),
    ('Acetaminophen 650 mg before IVIG in a 4-year-old child.', {}),
]


def caught(book, text: str, **kw) -> bool:
    report = check_report(text, book, **_with_frame(book, kw))
    return report.blocked or any(f.flags for f in report.findings)


def _cases(table, safe):
    return [pytest.param(text, kw, id=f"{cls}-{'safe' if safe else 'unsafe'}-{i}")
            for cls, rows in table.items() for i, (text, kw) in enumerate(rows)]


@pytest.mark.parametrize(("text", "kw"), _cases(SAFE, True))
def test_safe_probe_passes(corpus_book, text, kw):
    assert not caught(corpus_book, text, **kw), [(f.text, f.verdict, f.message) for f in
                                                 check_report(text, corpus_book, **_with_frame(corpus_book, kw)).findings]


@pytest.mark.parametrize(("text", "kw"), _cases(UNSAFE, False))
def test_unsafe_probe_is_caught(corpus_book, text, kw):
    assert caught(corpus_book, text, **kw), [(f.text, f.verdict, f.message) for f in
                                             check_report(text, corpus_book, **_with_frame(corpus_book, kw)).findings]

# ---- probes written for issue 14's weak classes (conversion factors, negation, other drugs over PDF tables) --------
# Passages as the ingest renders a guideline table row (one statement per row, column names kept).
LBP_ROWS = ("NSAIDs: generic Ketorolace; starting dose 10 mg q 4 – 6H; max/day 40 mg; half-life (t½) (hrs) ~ 5\n\n"
            "NSAIDs: generic Naproxen; starting dose 250 mg BID; max/day: 1,500 mg; half-life (t½) (hrs) 12 – 17")
HEADACHE_ROWS = ("Metoprolol (Toprol®, Toprol XL®) (Beta-blockers): initial dose 100 mg/day in divided doses; usual range "
                 "100 – 200 mg/day\n\nTopiramate (Topamax®) (Anticonvulsants): initial dose 25 mg/day; usual range "
                 "50 – 200 mg/day in divided doses; comments: Increase by 25 mg/week")
MDD_ROWS = ("Lithium: agent Lithium; initial dose 300-600 mg in 1-2 divided doses; titration schedule 300 mg weekly; "
            "max. dose/day 1200 mg; geriatric 150mg once or twice a day\n\n"
            "Sertraline (SSRIs): initial dose 50 mg daily; titration schedule 25-50 mg weekly; max. dose/day 200 mg")
RENAL = ("Acamprosate: dosing in special populations: Moderate renal insufficiency (CrCl 30 – 50 mL/min): 333 mg thrice "
         "daily, Do not administer to patients with severe renal insufficiency (CrCl ≤30 mL/min)")
HTN_ROWS = "Amlodipineb (DHP CCBs) (Long-Acting Calcium Channel Blockers (CCB)): usual dose range 2.5-10 mg daily"
PTSD_RANGE = "Appendix C: sertraline 50-200 mg daily; paroxetine 20-50 mg daily"

TRIPTANS = ("VA/DoD Headache CPG (2020), Table F-2: rizatriptan 5-10 mg at onset, may repeat after 2 hours, maximum "
            "30 mg/day; with propranolol 5 mg, maximum 15 mg/day. Zolmitriptan nasal spray 5 mg at onset, may repeat "
            "after 2 hours, maximum 10 mg/day.")
ACAMPROSATE = ("VA/DoD SUD CPG (2021): acamprosate 666 mg three times a day; in moderate renal insufficiency "
               "(CrCl 30-50 mL/min) 333 mg three times a day; not to be used when CrCl is 30 mL/min or less.")
SAFE["issue14_circumstances"] = [
    ("On propranolol, rizatriptan is 5 mg with a ceiling of 15 mg/day.", {"sources": [TRIPTANS]}),
    ("Rizatriptan 10 mg at onset, may repeat after 2 hours, no more than 30 mg a day.", {"sources": [TRIPTANS]}),
    ("Acamprosate 666 mg three times a day, or 333 mg three times a day when CrCl is 30-50 mL/min.",
     {"sources": [ACAMPROSATE]}),
    ("GBS, 70 kg, creatinine clearance 60 mL/min: IVIG 0.4 g/kg/day for 5 days.", {"sources": [
        "GBS (EU core SmPC): 0.4 g/kg each day for 5 consecutive days, 2 g/kg for the course."]}),
]
UNSAFE["issue14_circumstances"] = [
    ("On propranolol, rizatriptan is 10 mg with a ceiling of 30 mg/day.", {"sources": [TRIPTANS]}),
    ("Rizatriptan 5 mg, maximum 15 mg/day.", {"sources": [TRIPTANS]}),  # the propranolol dose, stated for everyone
    ("With CrCl 40 mL/min, acamprosate 666 mg three times a day.", {"sources": [ACAMPROSATE]}),
    ("Sumatriptan 5 mg at onset, may repeat after 2 hours; max 10 mg per day.", {"sources": [TRIPTANS]}),
]

GABAPENTIN = ("Gabapentin: dosage and administration: Initiate at 300 mg on day one and increase by 300 mg daily as "
              "tolerated to target of 1,800 mg daily, administered in three divided doses")
SAFE["issue14_lab_restated"] = [
    ("Trough IgG 5.2 g/L (520 mg/dL) on 0.4 g/kg every 4 weeks for CVID.", {}),
    ("The last trough was 650 mg/dL (6.5 g/L) on IVIG 0.5 g/kg every 4 weeks for PID.", {}),
]
UNSAFE["issue14_lab_restated"] = [
    ("Trough IgG 5.2 g/L (5200 mg/dL) on 0.4 g/kg every 4 weeks for CVID.", {}),
    ("The last trough was 650 mg/dL (65 g/L) on IVIG 0.5 g/kg every 4 weeks for PID.", {}),
]

SAFE["issue14_conversion_factor"] = [
    ("The Hizentra adjustment factor in the United States is 1.37.", {}),
    ("Convert with 1.37 for Hizentra and 1.30 for Cuvitru if following the US labels.", {}),
    ("From 32 g IVIG every 4 weeks, Cuvitru under the US label comes to 8 g × 1.30 = 10.4 g once a week.", {}),
    ("European labels use a 1:1 ratio: 40 g every 4 weeks becomes 10 g SCIG a week.", {}),
    ("IVIG 42 g every 3 weeks = 14 g weekly equivalent; multiplied by 1.37 for Hizentra, that is about 19.2 g per week.",
     {}),
    ("IVIG 36 g every 3 weeks → 12 g/week equivalent → Hizentra (US) ≈ 16.4 g weekly.", {}),
    ("IVIG 30 g every 3 weeks → 10 g/wk → Cuvitru (US) 10 × 1.30 = 13 g weekly.", {}),
    ("Multiply the weekly equivalent, not the monthly total, by 1.37 when starting Hizentra in the US.", {}),
    ("Hizentra weekly dose = (IVIG g ÷ dosing interval in weeks) × 1.37.", {}),
    ("Hizentra (US): 1.37 × weekly IVIG equivalent.", {}),
]
UNSAFE["issue14_conversion_factor"] = [
    ("The Hizentra adjustment factor in the United States is 1.30.", {}),
    ("From 32 g IVIG every 4 weeks, Cuvitru under the US label comes to 8 g × 1.37 = 11 g once a week.", {}),
    ("European labels use a factor of 1.37: 40 g every 4 weeks becomes 13.7 g SCIG a week.", {}),
    ("IVIG 36 g every 3 weeks → 12 g/week equivalent → Hizentra (US) ≈ 49 g weekly.", {}),
    ("Cuvitru (US): 1.37 × weekly IVIG equivalent.", {}),  # a factor before the words it multiplies
    ("Hizentra weekly dose = IVIG g × 1.37.", {}),  # the factor applied to the whole IVIG dose
    ("Multiply the monthly IVIG dose by 1.37 to get the weekly Hizentra dose.", {}),
    ("Under EU labels, do not convert 1:1; apply 1.37.", {}),  # the part after the semicolon goes on with its sentence
]
SAFE["issue14_negation"] = [
    ("Privigen should never be run faster than 8 mg/kg/min.", {}),
    ("Infuse Privigen no faster than 8 mg/kg/min.", {}),
    ("It is wrong to give the Kawasaki dose of 2 g/kg every day; it is a single infusion.", {}),
    ("For CIDP maintenance use 1 g/kg every 3 weeks, not the loading dose of 2 g/kg.", {}),
    ("Don't use the Hizentra factor of 1.37 for Cuvitru, which has its own factor of 1.30.", {}),
    ("Rather than 0.4 g/kg daily for 5 days, Kawasaki disease is treated with a single 2 g/kg infusion.", {}),
    ("Never give the CIDP loading total (2 g/kg) on each of the days; spread it over 2-5 days.", {}),
    ("Do not multiply the whole 4-weekly IVIG dose by 1.37; divide by the weeks first.", {}),
    ("EU maintenance in PID: no less than 0.2 g/kg every 3–4 weeks.", {}),
]
UNSAFE["issue14_negation"] = [
    ("Privigen should never be run faster than 80 mg/kg/min.", {}),
    ("Infuse Privigen no faster than 80 mg/kg/min.", {}),
    ("With thrombosis risk, run IVIG no faster than 8 mg/kg/min.", {}),
    ("For CIDP maintenance use 2 g/kg every 3 weeks, not 1 g/kg.", {}),
    ("The 1.30 factor is for Hizentra, not for Cuvitru.", {}),
    ("Rather than a single 2 g/kg infusion, Kawasaki disease is treated with 0.4 g/kg daily for 5 days.", {}),
    ("EU maintenance in PID: no less than 2 g/kg every 3–4 weeks.", {}),
    ("CIDP loading: 2 g/kg on each of the five days.", {}),
]
SUMA_ROW = ("Sumatriptan (Imitrex®) injection (Triptans (cont.)): dose: 6 mg subcutaneous at onset; can repeat after 1-hour "
            "if needed; comments Maximum daily dose is 12 mg")
SAFE["issue14_quoted_rows"] = [
    # A row quoted word for word answers a question about a maximum: its starting dose stays a starting dose.
    (SUMA_ROW, {"sources": [SUMA_ROW], "context": "max daily dose of sumatriptan subq"}),
    ("Sumatriptan nasal spray: 5, 10, or 20 mg at onset; maximum daily dose is 40 mg.", {
        "sources": ["Sumatriptan nasal spray (Triptans): dose: 5, 10, or 20 mg at onset; can repeat after 2-hours if "
                    "needed; comments: Maximum daily dose is 40 mg"], "context": "Sumatriptan dose for migraine?"}),
]
UNSAFE["issue14_quoted_rows"] = [
    ("Sumatriptan injection: 12 mg subcutaneous at onset.", {"sources": [SUMA_ROW],
                                                              "context": "max daily dose of sumatriptan subq"}),
    ("Sumatriptan nasal spray: maximum daily dose is 80 mg.", {
        "sources": ["Sumatriptan nasal spray (Triptans): dose: 5, 10, or 20 mg at onset; comments: Maximum daily dose "
                    "is 40 mg"], "context": "Sumatriptan dose for migraine?"}),
]
SAFE["issue14_product_switch"] = [
    ("After a change of IVIG product, begin Privigen again at 0.5 mg/kg/min.", {}),
    ("When the brand changes, go back to the initial rate: 0.5 mg/kg/min for Privigen, then titrate.", {}),
]
UNSAFE["issue14_product_switch"] = [
    ("When switching IVIG products there is no need to restart low; keep the previously tolerated 8 mg/kg/min.", {}),
    ("On a different product, carry on at 8 mg/kg/min with Privigen.", {}),
]
SAFE["issue14_jurisdiction"] = [
    ("0.3 mL/kg/h.", {"context": "Initial Privigen infusion rate in mL/kg/h, per the US label?"}),
    ("Under the EU label, start at 0.5 mL/kg/h for 30 minutes.", {}),
]
UNSAFE["issue14_jurisdiction"] = [
    ("0.5 mL/kg/h for the first 30 minutes.", {"context": "Initial Privigen infusion rate in mL/kg/h, per the US label?"}),
    ("Under the US label, start Privigen at 0.5 mL/kg/h for 30 minutes.", {}),
]
SAFE["issue14_pdf_tables"] = [
    ("Ketorolac: 10 mg every 4-6 hours, maximum 40 mg/day.", {"sources": [LBP_ROWS]}),
    ("Naproxen 250 mg twice daily, no more than 1,500 mg a day.", {"sources": [LBP_ROWS]}),
    ("Topiramate for migraine prevention: start at 25 mg/day, usual range 50-200 mg/day.", {"sources": [HEADACHE_ROWS]}),
    ("Lithium 300-600 mg/day in 1-2 divided doses, at most 1,200 mg/day.", {"sources": [MDD_ROWS]}),
    ("Sertraline: start at 50 mg daily, maximum 200 mg/day.", {"sources": [MDD_ROWS]}),
    ("With CrCl 30-50 mL/min, acamprosate 333 mg three times a day.", {"sources": [RENAL]}),
    ("Amlodipine 2.5-10 mg daily.", {"sources": [HTN_ROWS]}),
    ("Gabapentin: begin with 300 mg on day one, add 300 mg a day to a target of 1,800 mg daily.",
     {"sources": [GABAPENTIN]}),
    ("200 mg/day.", {"sources": [PTSD_RANGE], "context": "Max daily sertraline dose for PTSD?"}),
    ("Ontario allows up to 0.4-0.8 g/kg every 4 weeks.", {"sources": [
        "With chronic suppurative lung disease the Ontario guidelines allow IVIG 0.4-0.8 g/kg every 4 weeks."],
        "context": "PID with bronchiectasis despite the usual trough: Ontario IVIG dose?"}),
]
UNSAFE["issue14_pdf_tables"] = [
    ("Ketorolac: maximum 10 mg/day.", {"sources": [LBP_ROWS]}),  # the starting dose, not the daily maximum
    ("Ketorolac 10 mg every 4-6 hours (max 40 mg/day) can be continued for 4 weeks.", {"sources": [LBP_ROWS]}),
    ("Topiramate for migraine prevention: start at 200 mg/day.", {"sources": [HEADACHE_ROWS]}),  # top of the range
    ("Topiramate 100-200 mg/day.", {"sources": ["Metoprolol (Toprol®): 100 – 200 mg/day"]}),  # another row's drug
    ("Lithium up to 2,400 mg/day.", {"sources": [MDD_ROWS]}),
    ("Gabapentin: begin with 300 mg on day one, add 900 mg a day to a target of 1,800 mg daily.",
     {"sources": [GABAPENTIN]}),
    ("Acamprosate 333 mg once daily with CrCl 30-50 mL/min.", {"sources": [RENAL]}),
    ("Up to 400 mg/day.", {"sources": [PTSD_RANGE], "context": "Max daily sertraline dose for PTSD?"}),
    ("50 mg/day.", {"sources": [PTSD_RANGE], "context": "Max daily sertraline dose for PTSD?"}),
]


def _issue14(table, safe):
    return [p for p in _cases(table, safe) if p.id.startswith("issue14")]


@pytest.mark.parametrize(("text", "kw"), _issue14(SAFE, True))
def test_issue14_safe_probe_passes(corpus_book, text, kw):
    test_safe_probe_passes(corpus_book, text, kw)


@pytest.mark.parametrize(("text", "kw"), _issue14(UNSAFE, False))
def test_issue14_unsafe_probe_is_caught(corpus_book, text, kw):
    test_unsafe_probe_is_caught(corpus_book, text, kw)

# ---- round 4 (issue 14): probes over the cited documents themselves -------------------------------------------------
# Each source is a pointer that evals/doses.resolve_sources turns into the passage as the ingest renders it (a corpus
# section, or a page of a VA/DoD guideline PDF in ../shared/corpora/vadod): the checker reads real table rows, footnote
# letters, class labels and frequency columns, not a tidy summary. Written from those documents, not from eval cases.
from evals.doses import VADOD_PDFS, resolve_sources  # noqa: E402

_HTN, _OA, _COPD = "VA/DoD VADoDHypertensionCPG508Corrected792020.pdf", "VA/DoD VADoDOACPG.pdf", "VA/DoD VADoDCOPDCPGFinal508.pdf"
_MDD, _HA, _SUD = "VA/DoD VADoDMDDCPGFinal508.pdf", "VA/DoD VADoDHeadacheCPGFinal508.pdf", "VA/DoD VADoDSUDCPG.pdf"
_GBS = "corpus/guidelines/ig-immunomodulatory-gbs.md, Dosing"
_ITP = "corpus/guidelines/ig-immunomodulatory-itp.md, Adults; Children"
_OB = "corpus/guidelines/ig-dosing-weight-obesity.md, formula; Worked example"
_PIDD = "corpus/guidelines/ig-primary-antibody-deficiency.md, Dosing"
_RATES = "corpus/guidelines/ig-administration-infusion-rates.md, US label rates; EU rates"
_PREMED = "corpus/guidelines/ig-infusion-reactions-premedication.md, Premedication"

ROUND4: list[tuple[bool, str, str, list[str], dict]] = [
    # vadod_other_drugs: a drug's class label is no drug ("Irbesartand (Angiotensin II Receptor Blockers (ARB))", p99)
    (True, "vadod_class_label", "Irbesartan 75-300 mg daily.", [f"{_HTN} p99"], {}),
    (True, "vadod_class_label", "Losartan for hypertension: 25-100 mg/day, once daily or divided twice daily.",
     [f"{_HTN} p99"], {}),
    # "Spironolactoneb (Aldosterone/ Mineralocorticoid Receptor Antagonists): usual dose range 25-50 mg/daily" (p100)
    (True, "vadod_class_label", "Spironolactone for resistant hypertension: 25-50 mg daily.", [f"{_HTN} p100"], {}),
    # a footnote letter run into an abbreviation and a frequency word ("HCTZb ... 25-50 mg dailyc", p98)
    (True, "vadod_footnotes", "HCTZ 25-50 mg daily.", [f"{_HTN} p98"], {}),
    # a column word the dictionary lists as a brand ("Generics" for oxazepam) names no drug (OA Table F-1, p85)
    (True, "vadod_frequency_column", "Piroxicam 20 mg once daily (max 20 mg/day).", [f"{_OA} p85"], {}),
    (False, "vadod_frequency_column", "Piroxicam 20 mg three times daily.", [f"{_OA} p85"], {}),
    (True, "vadod_frequency_column", "Meloxicam for OA: start 7.5 mg once daily; max 15 mg daily.", [f"{_OA} p84"], {}),
    (True, "vadod_frequency_column", "Celecoxib for knee OA: 100-200 mg/day, once daily or split twice daily, max "
                                     "200 mg/day for OA.", [f"{_OA} p84"], {}),
    (True, "vadod_frequency_column", "Celecoxib for knee OA: 100 mg twice daily.", [f"{_OA} p84"], {}),
    (False, "vadod_frequency_column", "Celecoxib for knee OA: 200 mg twice daily.", [f"{_OA} p84"], {}),  # 400 mg/day
    # a product strength is one unit; the dosing column says how many at a time (COPD Table E-5, p64)
    (True, "vadod_strength", "Tiotropium (Spiriva HandiHaler) 18 mcg once daily.", [f"{_COPD} p64"], {}),
    (True, "vadod_strength", "Spiriva Respimat 2.5 mcg, two inhalations once daily.", [f"{_COPD} p64"], {}),
    (False, "vadod_strength", "Spiriva Respimat 2.5 mcg, two inhalations twice daily.", [f"{_COPD} p64"], {}),
    (False, "vadod_strength", "Tiotropium (Spiriva HandiHaler) 18 mcg twice daily.", [f"{_COPD} p64"], {}),
    # "strength 17 mcg; dosing: 2 inhalations 4 times/day" (Table E-2, p63), the count written after a colon
    (True, "vadod_strength", "Ipratropium HFA 17 mcg: 2 inhalations 4 times a day, no more than 12 inhalations a day.",
     [f"{_COPD} p63"], {}),
    # a renal threshold's bound before a dose is no maximum of it ("renal: CrCl <30 ml/min, 7.5-15 mg once daily", p133)
    (True, "vadod_circumstance", "CrCl 25 mL/min: mirtazapine 7.5-15 mg once daily.", [f"{_MDD} p133"], {}),
    (False, "vadod_circumstance", "CrCl 25 mL/min: mirtazapine 45 mg once daily.", [f"{_MDD} p133"], {}),
    # a biologic's suffix ("Erenumab-aooe (Aimovig)", Headache Table F-1, p123)
    (True, "vadod_names", "Erenumab 70-140 mg SQ monthly.", [f"{_HA} p123"], {}),
    (False, "vadod_names", "Erenumab 70-140 mg SQ weekly.", [f"{_HA} p123"], {}),
    # "Low-dose aspirin" is a dictionary entry of its own without a drug id: the drug is aspirin (Pregnancy Rec 17, p55)
    (True, "vadod_names", "Low-dose aspirin for preeclampsia risk: 100-150 mg daily, started at or before 16 weeks.",
     ["VA/DoD VADoDPregnancyCPG4102018.pdf p55"], {}),
    (False, "vadod_names", "Low-dose aspirin for preeclampsia risk: 100-150 mg twice daily from 16 weeks.",
     ["VA/DoD VADoDPregnancyCPG4102018.pdf p55"], {}),
    # a dose for another indication in the same cell ("300 mg SQ (cluster)", p123) does not ground the migraine dose
    (False, "vadod_circumstance", "Galcanezumab for migraine: 300 mg SQ monthly.", [f"{_HA} p123"], {}),
    # a parenthesised dose for a circumstance is a dose of its own, not a restatement (MDD Table J-1, p132)
    (True, "vadod_circumstance", "Citalopram 20 mg once daily, up to 40 mg/day (20 mg in older adults).",
     [f"{_MDD} p132"], {}),
    # a drug the patient takes alongside is the circumstance, not the drug dosed (Headache Table F-2, p125)
    (False, "vadod_circumstance", "Rizatriptan in a patient taking propranolol: 10 mg, max 30 mg/day.", [f"{_HA} p125"], {}),
    (True, "vadod_circumstance", "Rizatriptan in a patient taking propranolol: 5 mg, max 15 mg/day.", [f"{_HA} p125"], {}),
    # a titration step written "titrate up from 25 mg/d by 50 mg/d" (CMI Table I-1, p101)
    (True, "vadod_titration", "Sertraline for CMI: 25-200 mg/d, starting at 25 mg/d and titrating by 50 mg/d at least a "
                              "week apart.", ["VA/DoD VADoDCMICPG508.pdf p101"], {}),
    # "Initiate dose titration with 0.6 mg daily" is the start, not a step (Obesity Table H-1, p109)
    (False, "vadod_titration", "Saxenda titration: increase by 0.6 mg every day until 3 mg.",
     ["VA/DoD VADoDObesityCPGFinal5087242020.pdf p109"], {}),
    # a table of equivalents: each drug's row holds its own amount (SUD Table B-3, p114)
    (False, "conversion_factor", "Diazepam 10 mg is roughly equivalent to lorazepam 10 mg.", [f"{_SUD} p114"], {}),
    (False, "conversion_factor", "Clonazepam 10 mg is about equal to diazepam 10 mg.", [f"{_SUD} p114"], {}),
    (True, "conversion_factor", "Diazepam 10 mg is roughly equivalent to lorazepam 2 mg.", [f"{_SUD} p114"], {}),
    # course length: "for up to 14 days" is read, and the footnote's "up to 5 days" grounds its own limit (LBP, p104)
    (False, "course_length_and_ceiling", "Ketorolac for back pain: 10 mg every 4-6 hours for up to 14 days.",
     ["VA/DoD VADoDLBPCPGFinal508.pdf p104"], {}),
    (True, "course_length_and_ceiling", "Ketorolac for back pain: 10 mg every 4-6 hours for up to 5 days.",
     ["VA/DoD VADoDLBPCPGFinal508.pdf p104"], {}),
    # a course cannot repeat before it ends (Privigen US chronic ITP: 1 g/kg daily for 2 days)
    (False, "course_length_and_ceiling", "Chronic ITP: 1 g/kg daily on 2 consecutive days, repeated daily.", [_ITP], {}),
    # the first rate of "A for ..., then up to B" is a start, held to the start's 30 minutes (EU rates)
    (False, "course_length_and_ceiling", "EU: 0.5 mL/kg/h for 3 hours, then up to 6 mL/kg/h.", [_RATES], {}),
    (True, "course_length_and_ceiling", "EU: 0.5 mL/kg/h for 30 minutes, then up to 6 mL/kg/h.", [_RATES], {}),
    # formulas: the body weight multiplied is the patient's; a dosing weight worked out wrong is caught
    (False, "formula_and_weight", "GBS in a 65 kg adult: 0.4 g/kg × 75 kg = 30 g daily for 5 days.", [_GBS], {}),
    (True, "formula_and_weight", "GBS in a 65 kg adult: 0.4 g/kg × 65 kg = 26 g daily for 5 days.", [_GBS], {}),
    (False, "formula_and_weight", "IBW 70 kg, actual 130 kg: adjusted weight = 130 − 0.4 × (130 − 70) = 106 kg.", [_OB], {}),
    (True, "formula_and_weight", "IBW 70 kg, actual 130 kg: adjusted weight = 70 + 0.4 × (130 − 70) = 94 kg.", [_OB], {}),
    # a total worked out from the per-kg dose beside it is as right as that dose, with its own cadence checked
    (True, "formula_and_weight", "Ideal weight 58 kg, actual 98 kg: adjusted dosing weight 74 kg; at 0.4 g/kg that is "
                                 "about 30 g.", [_OB], {}),
    (False, "formula_and_weight", "Ideal weight 58 kg, actual 98 kg: adjusted dosing weight 74 kg; at 0.4 g/kg that is "
                                  "about 39 g.", [_OB], {}),  # grams for the actual weight
    (True, "formula_and_weight", "Ketamine for MDD in a 70 kg adult: 0.5 mg/kg = 35 mg IV over 40 minutes.",
     [f"{_MDD} p135"], {}),
    (False, "formula_and_weight", "Adult ITP, 90 kg: 1 g/kg = 90 g daily for 5 days.", [_ITP], {}),
    # a sum per kg with the patient's weight left implicit ("60 kg adult: 1 g/kg/day × 2 days = 120 g in total")
    (True, "formula_and_weight", "Chronic ITP (Privigen US), 60 kg adult: 1 g/kg/day × 2 days = 120 g in total.", [_ITP], {}),
    (False, "formula_and_weight", "Chronic ITP (Privigen US), 60 kg adult: 1 g/kg/day × 2 days = 60 g in total.", [_ITP], {}),
    # negations and limits: a stated floor is the rule's floor; "must not be infused faster than" is a ceiling
    (False, "negation_and_instead", "EU SmPC maintenance for PID: not less than 0.8 g/kg every 3-4 weeks.", [_PIDD], {}),
    (True, "negation_and_instead", "EU SmPC maintenance for PID: not less than 0.2 g/kg every 3-4 weeks.", [_PIDD], {}),
    (True, "negation_and_instead", "Privigen must not be infused faster than 8 mg/kg/min.", [_RATES], {}),
    (False, "negation_and_instead", "Privigen must not be infused faster than 12 mg/kg/min.", [_RATES], {}),
    # a drug without rules: ruling out a dose the passage does not give, for the dose it does give
    (True, "negation_and_instead", "Don't start sertraline at 200 mg; start at 50 mg daily.", [f"{_MDD} p132"], {}),
    (False, "negation_and_instead", "Don't start sertraline at 25 mg; start at 200 mg daily.", [f"{_MDD} p132"], {}),
    (False, "negation_and_instead", "Acetaminophen premedication: do not exceed 400 mg per day.", [_PREMED], {}),
    # "avoid ... below" states a floor (a limit, not a negation); a course total is the ceiling of its own course
    (False, "negation_and_instead", "Thrombosis risk: avoid rates below 2 mg/kg/min.",
     ["corpus/guidelines/ig-administration-infusion-rates.md, Patients at risk of thrombosis"], {}),
    (True, "negation_and_instead", "In GBS do not exceed 2 g/kg over the whole course.", [_GBS], {}),
    (False, "negation_and_instead", "In GBS do not exceed 4 g/kg over the whole course.", [_GBS], {}),
]


def _round4(safe: bool):
    return [pytest.param(text, refs, kw, id=f"{cls}-{'safe' if safe else 'unsafe'}-{i}")
            for i, (s, cls, text, refs, kw) in enumerate(ROUND4) if s == safe]


def _round4_report(book, text, refs, kw):
    if any(".pdf" in r for r in refs) and not VADOD_PDFS.is_dir():
        pytest.skip("the VA/DoD guideline PDFs (../shared/corpora/vadod) are not here")
    report = check_report(text, book, sources=resolve_sources(refs), **kw)
    return report, [(f.text, f.verdict, f.message) for f in report.findings]


@pytest.mark.parametrize(("text", "refs", "kw"), _round4(True))
def test_round4_safe_probe_passes(corpus_book, text, refs, kw):
    report, why = _round4_report(corpus_book, text, refs, kw)
    assert not (report.blocked or any(f.flags for f in report.findings)), why


@pytest.mark.parametrize(("text", "refs", "kw"), _round4(False))
def test_round4_unsafe_probe_is_caught(corpus_book, text, refs, kw):
    report, why = _round4_report(corpus_book, text, refs, kw)
    assert report.blocked or any(f.flags for f in report.findings), why


def test_a_table_row_headed_by_another_drug_breaks_the_binding(corpus_book):
    # A two-column table rendered one cell per line: each amount belongs to the drug heading the row above it, however
    # near an earlier drug's name stands (written for this test; the shape of SUD Table B-3 in an older rendering).
    table = "Lorazepam: onset fast\n\n2 mg: onset fast\n\nQuazepam: onset slow\n\n10 mg: onset slow"
    assert check_report("Lorazepam 2 mg.", corpus_book, sources=[table]).findings[0].verdict == "grounded"
    assert check_report("Lorazepam 10 mg.", corpus_book, sources=[table]).blocked
    assert check_report("Quazepam 10 mg.", corpus_book, sources=[table]).findings[0].verdict == "grounded"


def test_a_table_footnote_letter_run_into_a_name_or_a_frequency_is_read(corpus_book):
    # Dosage tables print footnote letters against the word before them ("HCTZb", "25-50 mg dailyc").
    from assistant.doses.check import scan_text
    from assistant.doses.drugnames import dictionary_drugs

    assert [m.canonical for m in dictionary_drugs("HCTZb (a thiazide): range")] == ["hydrochlorothiazide"]
    assert scan_text("HCTZ range 25-50 mg dailyc", corpus_book.lexicon).amounts[0].cadence.interval == (1, 1)
    assert check_report("HCTZ 25-50 mg daily.", corpus_book,
                        sources=["HCTZb (a thiazide): range 25-50 mg dailyc"]).findings[0].verdict == "grounded"
