-- What the consortium planner stores beyond the proposal itself.

-- +goose Up
-- Foreign partners suggested from history for the countries a bid still
-- needs: [{"name", "country", "joint_projects"}].
ALTER TABLE consortium_plans
    ADD COLUMN foreign_partners jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(foreign_partners) = 'array'),
    ADD COLUMN decision_note    text NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE consortium_plans DROP COLUMN decision_note, DROP COLUMN foreign_partners;
