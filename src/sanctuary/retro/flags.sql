-- The retro audit's flags: one row per flagged search, with its codes and the evidence for each.
--
-- One SELECT in the SQL both DuckDB and Spark SQL read (no engine-specific function), run by
-- `sanctuary scan` on DuckDB and, where one machine stops, by Spark on the same tables
-- (docs/retro.md, "On a cluster"). Its inputs, made by the scan (retro/pipeline.py):
--   rows      (file_index, row, source_id, org, reason, offense_type, text_prompt, case_number,
--              networks, search_time, has_reason): every search, one per export row
--   purposes  (value, words, named, presumed, crime, vague, case_only, review, agency, dhs, evidence,
--              lettered): each distinct text through the purpose screen and the predicate
--              (retro/flags.py); a case number is read only when it has a letter ("ERO-2025-0113"):
--              digits and separators alone are an identifier, never a purpose
--   orgs      (name, presumed, immigration, dhs, has_287g, out_of_state, evidence): each organisation
--   proxy     (file_index, row, evidence): searches that followed an immigration agency's request
--   files     (file_index, path)
--   params    (national_threshold): one row
--   codes     (bits, flags): each combination of codes, numbered as `coded` numbers it (code_bits; bit i: the
--              i-th code of retro.flags.CODES), and its codes joined by ';' (retro.flags.code_table)
-- The codes are written in the order of retro.flags.CODES: each row's number names them through `codes`,
-- so the string is built once per combination, not once per flagged row.
WITH texts AS (
    -- each distinct text once: the seven things it can say packed in one number (bits 1 to 64, read
    -- back in `joined`), and its evidence prefixed for each column it can be read from, so that the
    -- four joins below carry a few columns each, not eleven
    SELECT value, lettered, vague, case_only,
        CASE WHEN words THEN 1 ELSE 0 END + CASE WHEN named THEN 2 ELSE 0 END + CASE WHEN presumed THEN 4 ELSE 0 END
            + CASE WHEN crime THEN 8 ELSE 0 END + CASE WHEN agency THEN 16 ELSE 0 END + CASE WHEN dhs THEN 32 ELSE 0 END
            + CASE WHEN review THEN 64 ELSE 0 END AS bits,
        'reason ' || evidence AS reason_evidence,
        CASE WHEN NOT vague AND NOT case_only THEN 'text prompt ' || evidence END AS prompt_evidence,
        CASE WHEN NOT vague AND NOT case_only THEN 'offense type ' || evidence END AS offense_evidence,
        CASE WHEN NOT vague AND NOT case_only THEN 'case number ' || evidence END AS case_evidence
    FROM purposes
),
looked_up AS (
    SELECT r.file_index, r.row, r.source_id, r.org, r.search_time, r.reason, r.networks,
        r.has_reason AND r.reason IS NULL AND r.offense_type IS NULL AND r.text_prompt IS NULL AS blank,
        -- what any text of the row says
        coalesce(pr.bits, 0) | coalesce(pt.bits, 0) | coalesce(po.bits, 0) | coalesce(pc.bits, 0) AS bits,
        coalesce(pr.vague, false) AS vague,
        coalesce(pr.case_only, false) AS case_only,
        pr.reason_evidence, pt.prompt_evidence, po.offense_evidence, pc.case_evidence,
        coalesce(o.presumed, false) AS org_presumed,
        coalesce(o.immigration, false) AS org_immigration,
        coalesce(o.dhs, false) AS org_dhs,
        coalesce(o.has_287g, false) AS has_287g,
        coalesce(o.out_of_state, false) AS out_of_state,
        r.networks > p.national_threshold AS national,
        p.national_threshold,
        o.evidence AS org_evidence,
        x.evidence AS proxy_evidence
    FROM rows r
    CROSS JOIN params p
    LEFT JOIN texts pr ON pr.value = r.reason
    LEFT JOIN texts pt ON pt.value = r.text_prompt
    LEFT JOIN texts po ON po.value = r.offense_type
    LEFT JOIN texts pc ON pc.value = r.case_number AND pc.lettered
    LEFT JOIN orgs o ON o.name = r.org
    LEFT JOIN proxy x ON x.file_index = r.file_index AND x.row = r.row
),
joined AS (
    SELECT file_index, row, source_id, org, search_time, reason, networks, blank,
        (bits & 1) <> 0 AS words,
        (bits & 2) <> 0 AS named,
        (bits & 4) <> 0 OR org_presumed AS presumed,
        (bits & 8) <> 0 AS crime,
        (bits & 16) <> 0 OR org_immigration AS agency,
        (bits & 32) <> 0 OR org_dhs AS dhs,
        (bits & 64) <> 0 AS review,
        vague, case_only, has_287g, out_of_state, national, national_threshold,
        reason_evidence, prompt_evidence, offense_evidence, case_evidence, org_evidence, proxy_evidence
    FROM looked_up
),
judged AS (
    SELECT j.*,
        -- evidence in the row: words, or ICE/ERO named as the one served with no crime named
        j.words OR (j.named AND NOT j.crime) AS immigration
    FROM joined j
),
coded AS (
    -- the row's codes as one number, in the order of retro.flags.CODES (bit 1: IMMIGRATION_PURPOSE);
    -- 0: no code, not flagged
    SELECT *,
        CASE WHEN immigration THEN 1 ELSE 0 END
            + CASE WHEN agency THEN 2 ELSE 0 END
            + CASE WHEN dhs THEN 4 ELSE 0 END
            + CASE WHEN proxy_evidence IS NOT NULL THEN 8 ELSE 0 END
            + CASE WHEN presumed AND NOT immigration AND NOT crime THEN 16 ELSE 0 END
            + CASE WHEN has_287g THEN 32 ELSE 0 END
            + CASE WHEN review THEN 64 ELSE 0 END
            + CASE WHEN vague OR blank THEN 128 ELSE 0 END
            + CASE WHEN case_only THEN 256 ELSE 0 END
            + CASE WHEN out_of_state THEN 512 ELSE 0 END
            + CASE WHEN national THEN 1024 ELSE 0 END AS code_bits
    FROM judged
),
flagged AS (
    -- the evidence string is built for the flagged rows only
    SELECT file_index, row, source_id, org, search_time, reason, code_bits,
        concat_ws(' | ',
            reason_evidence, prompt_evidence, offense_evidence, case_evidence,
            CASE WHEN blank THEN 'no reason recorded (blank or redacted)' END,
            CASE WHEN named AND crime AND NOT words THEN 'an immigration agency named beside a crime: who asked, not why' END,
            org_evidence,
            CASE WHEN national THEN CAST(networks AS STRING) || ' networks searched (threshold '
                || CAST(national_threshold AS STRING) || ')' END,
            'proxy: ' || proxy_evidence
        ) AS evidence
    FROM coded
    WHERE code_bits <> 0
)
SELECT f.row, d.path AS file, f.source_id, c.flags, f.evidence, f.org AS organization, f.search_time, f.reason
FROM flagged f
LEFT JOIN codes c ON c.bits = f.code_bits
LEFT JOIN files d ON d.file_index = f.file_index
