-- A small world for planner tests: six cities, past projects with foreign
-- partners, a Horizon call, an Interreg Vlaanderen-Nederland call, three LIFE
-- calls, and their matches as the scorer would have stored them.
INSERT INTO cities (slug, nis_code, name_nl, province, arrondissement, kind) VALUES
    ('gent', '44021', 'Gent', 'Oost-Vlaanderen', 'Gent', 'centre_city'),
    ('kortrijk', '34022', 'Kortrijk', 'West-Vlaanderen', 'Kortrijk', 'centre_city'),
    ('ieper', '33011', 'Ieper', 'West-Vlaanderen', 'Ieper', 'municipality'),
    ('leuven', '24062', 'Leuven', 'Vlaams-Brabant', 'Leuven', 'centre_city'),
    ('mechelen', '12025', 'Mechelen', 'Antwerpen', 'Mechelen', 'centre_city'),
    ('ronse', '45041', 'Ronse', 'Oost-Vlaanderen', 'Oudenaarde', 'municipality');

INSERT INTO profiles (city_id, max_concurrent_bids, cofunding_capacity)
SELECT id, CASE slug WHEN 'mechelen' THEN 2 ELSE 3 END, 1000000 FROM cities;

INSERT INTO projects (source, source_id, title, year, programme) VALUES
    ('cordis', 'p1', 'Smart mobility living lab', 2019, 'H2020'),
    ('cordis', 'p2', 'Open data for cities', 2021, 'H2020'),
    ('keep', 'p3', 'Grensoverschrijdende fietsroutes', 2020, 'Interreg Vlaanderen-Nederland'),
    ('seed', 'p4', 'City of Things sensoren', 2022, 'COT');
INSERT INTO project_members (project_id, city_id, role)
SELECT p.id, c.id, m.role FROM (VALUES
    ('p1', 'gent', 'lead'), ('p1', 'kortrijk', 'partner'),
    ('p2', 'gent', 'lead'), ('p2', 'leuven', 'partner'),
    ('p3', 'kortrijk', 'lead'), ('p3', 'mechelen', 'partner'),
    ('p4', 'mechelen', 'lead')) AS m (project, city, role)
JOIN projects p ON p.source_id = m.project JOIN cities c ON c.slug = m.city;
INSERT INTO project_partners (project_id, name, country)
SELECT p.id, x.name, x.country FROM (VALUES
    ('p1', 'Gemeente Eindhoven', 'NL'), ('p1', 'Ville de Lille', 'FR'), ('p2', 'Gemeente Eindhoven', 'NL'),
    ('p3', 'Gemeente Terneuzen', 'NL'), ('p3', 'Imec', 'BE')) AS x (project, name, country)
JOIN projects p ON p.source_id = x.project;

INSERT INTO crawl_sources (name, kind) VALUES ('test', 'html');
INSERT INTO calls (source, identifier, kind, programme, title, status, budget_max, types_of_action, content_hash) VALUES
    ('test', 'HORIZON-CL5-2026-D6-01', 'topic', 'HORIZON', 'Zero-emission urban mobility', 'open', 4000000,
        '{"HORIZON Research and Innovation Actions"}', 'h1'),
    ('test', 'VLNL-2026-KLIMAAT', 'call', 'INTERREG-VLNL', 'Klimaatadaptatie in de grensregio', 'open', 1000000, '{}', 'h2'),
    ('test', 'LIFE-2026-A', 'topic', 'LIFE', 'Urban greening A', 'open', 1000000, '{}', 'h3'),
    ('test', 'LIFE-2026-B', 'topic', 'LIFE', 'Urban greening B', 'forthcoming', 1000000, '{}', 'h4'),
    ('test', 'LIFE-2026-C', 'topic', 'LIFE', 'Urban greening C', 'open', 1000000, '{}', 'h5'),
    ('test', 'LIFE-2025-OLD', 'topic', 'LIFE', 'Closed greening call', 'closed', 1000000, '{}', 'h6');

-- Matches: score, eligibility, relevance and the concepts each explanation found.
INSERT INTO matches (call_id, city_id, score, relevance, eligibility, explanation, model_version, input_hash, deadlines)
SELECT ca.id, ci.id, m.score, m.relevance, m.eligibility, m.explanation::json, 'test', 'x', ca.deadlines FROM (VALUES
    ('HORIZON-CL5-2026-D6-01', 'gent', 85, 0.9, 'eligible',
        '{"concepts": [{"concept": "mobility", "domain": "mobility"}], "project": {"title": "Smart mobility living lab", "year": 2019}}'),
    ('HORIZON-CL5-2026-D6-01', 'leuven', 75, 0.8, 'eligible',
        '{"concepts": [{"concept": "open-data", "domain": "government"}], "project": {"title": "Open data for cities", "year": 2021}}'),
    ('HORIZON-CL5-2026-D6-01', 'kortrijk', 60, 0.5, 'eligible', '{"concepts": [{"concept": "mobility", "domain": "mobility"}]}'),
    ('HORIZON-CL5-2026-D6-01', 'ronse', 52, 0.3, 'unknown', '{}'),
    ('HORIZON-CL5-2026-D6-01', 'ieper', 20, 0.1, 'ineligible', '{}'),
    ('VLNL-2026-KLIMAAT', 'ieper', 95, 0.95, 'eligible',
        '{"concepts": [{"concept": "climate-adaptation", "domain": "environment"}]}'),
    ('VLNL-2026-KLIMAAT', 'kortrijk', 70, 0.6, 'eligible',
        '{"concepts": [{"concept": "climate-adaptation", "domain": "environment"}], "project": {"title": "Grensoverschrijdende fietsroutes", "year": 2020}}'),
    ('VLNL-2026-KLIMAAT', 'mechelen', 65, 0.5, 'eligible', '{"concepts": [{"concept": "water", "domain": "environment"}]}'),
    ('VLNL-2026-KLIMAAT', 'gent', 62, 0.4, 'eligible', '{}'),
    ('LIFE-2026-A', 'mechelen', 90, 0.9, 'eligible', '{"concepts": [{"concept": "greening", "domain": "environment"}]}'),
    ('LIFE-2026-A', 'gent', 70, 0.5, 'eligible', '{}'),
    ('LIFE-2026-A', 'ronse', 60, 0.4, 'eligible', '{}'),
    ('LIFE-2026-B', 'mechelen', 92, 0.9, 'eligible', '{"concepts": [{"concept": "greening", "domain": "environment"}]}'),
    ('LIFE-2026-B', 'leuven', 68, 0.5, 'eligible', '{}'),
    ('LIFE-2026-B', 'gent', 64, 0.4, 'eligible', '{}'),
    ('LIFE-2026-C', 'mechelen', 88, 0.9, 'eligible', '{"concepts": [{"concept": "greening", "domain": "environment"}]}'),
    ('LIFE-2026-C', 'kortrijk', 66, 0.5, 'eligible', '{}'),
    ('LIFE-2026-C', 'leuven', 61, 0.4, 'eligible', '{}'),
    ('LIFE-2025-OLD', 'mechelen', 99, 0.9, 'eligible', '{}'),
    ('LIFE-2025-OLD', 'gent', 99, 0.9, 'eligible', '{}')
) AS m (call, city, score, relevance, eligibility, explanation)
JOIN calls ca ON ca.identifier = m.call JOIN cities ci ON ci.slug = m.city;

-- Mechelen already has a planned bid: one of its two slots is taken.
INSERT INTO bids (call_id, programme, title, year, status) VALUES (NULL, 'LIFE', 'Earlier LIFE bid', 2026, 'planned');
INSERT INTO bid_members (bid_id, city_id, role)
SELECT b.id, c.id, 'lead' FROM bids b, cities c WHERE b.title = 'Earlier LIFE bid' AND c.slug = 'mechelen';
