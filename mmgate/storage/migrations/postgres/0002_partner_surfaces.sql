-- The partner's unique MM onboarding link, and WABA-level MM knowledge learnt from Meta.
ALTER TABLE partners ADD COLUMN onboarding_token TEXT;
CREATE UNIQUE INDEX partners_onboarding_token ON partners (onboarding_token);
ALTER TABLE wabas ADD COLUMN mm_status TEXT;
