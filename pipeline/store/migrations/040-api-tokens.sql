-- API bearer tokens (api/auth, api-token-store.ts). The secret is never stored: only its SHA-256
-- (tokens are 256 random bits, so a fast hash is enough; it is shown once, at creation).
-- A token's state changes (revocation) are new rows with a higher version; reads take the latest
-- row per token_id (ReplacingMergeTree(version) merges to it; reads do not wait for merges).
-- Scope: tenant '*' = every tenant (platform roles); team / namespace '' = not narrowed.
-- expires_at_ms / revoked_at_ms 0 = never / not revoked. Not partitioned: never dropped by retention.
CREATE TABLE IF NOT EXISTS {{database}}.api_tokens
(
    token_id String,
    name String,
    secret_sha256 String,
    role String,
    tenant String,
    team String,
    namespace String,
    created_at_ms UInt64,
    created_by String,
    expires_at_ms UInt64,
    revoked_at_ms UInt64,
    version UInt64
)
ENGINE = ReplacingMergeTree(version)
ORDER BY token_id
