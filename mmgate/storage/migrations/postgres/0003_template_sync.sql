-- When a MARKETING template's ad sync ends (learnt from its APPROVED webhook).
ALTER TABLE templates ADD COLUMN sync_until DOUBLE PRECISION NOT NULL DEFAULT 0;
