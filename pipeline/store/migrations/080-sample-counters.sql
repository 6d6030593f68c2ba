-- The optional sample counters of contracts/sample-counters.ts, one Nullable(Float64) column each
-- (null: the source did not read it). One column per statement: migrate.ts skips one that exists.
ALTER TABLE {{database}}.gpu_samples ADD COLUMN sm_active_pct Nullable(Float64)
-- statement
ALTER TABLE {{database}}.gpu_samples ADD COLUMN tensor_active_pct Nullable(Float64)
-- statement
ALTER TABLE {{database}}.gpu_samples ADD COLUMN gr_engine_active_pct Nullable(Float64)
-- statement
ALTER TABLE {{database}}.gpu_samples ADD COLUMN dram_active_pct Nullable(Float64)
-- statement
ALTER TABLE {{database}}.gpu_samples ADD COLUMN pcie_tx_bytes_per_s Nullable(Float64)
-- statement
ALTER TABLE {{database}}.gpu_samples ADD COLUMN pcie_rx_bytes_per_s Nullable(Float64)
-- statement
ALTER TABLE {{database}}.gpu_samples ADD COLUMN mem_copy_util_pct Nullable(Float64)
-- statement
ALTER TABLE {{database}}.gpu_samples ADD COLUMN encoder_util_pct Nullable(Float64)
-- statement
ALTER TABLE {{database}}.gpu_samples ADD COLUMN decoder_util_pct Nullable(Float64)
-- statement
ALTER TABLE {{database}}.gpu_samples ADD COLUMN memory_temperature_c Nullable(Float64)
-- statement
ALTER TABLE {{database}}.gpu_samples ADD COLUMN energy_mj Nullable(Float64)
-- statement
ALTER TABLE {{database}}.gpu_samples ADD COLUMN pcie_replay_total Nullable(Float64)
-- statement
ALTER TABLE {{database}}.gpu_samples ADD COLUMN nvlink_bandwidth_total Nullable(Float64)
-- statement
ALTER TABLE {{database}}.gpu_samples ADD COLUMN vgpu_license_status Nullable(Float64)
-- statement
ALTER TABLE {{database}}.gpu_samples ADD COLUMN memory_free_bytes Nullable(Float64)
-- statement
ALTER TABLE {{database}}.gpu_samples ADD COLUMN remapped_rows_correctable Nullable(Float64)
-- statement
ALTER TABLE {{database}}.gpu_samples ADD COLUMN remapped_rows_uncorrectable Nullable(Float64)
-- statement
ALTER TABLE {{database}}.gpu_samples ADD COLUMN row_remap_pending Nullable(Float64)
-- statement
ALTER TABLE {{database}}.gpu_samples ADD COLUMN row_remap_failure Nullable(Float64)
-- statement
ALTER TABLE {{database}}.gpu_samples ADD COLUMN retired_pages_sbe Nullable(Float64)
-- statement
ALTER TABLE {{database}}.gpu_samples ADD COLUMN retired_pages_dbe Nullable(Float64)
-- statement
ALTER TABLE {{database}}.gpu_samples ADD COLUMN retired_pages_pending Nullable(Float64)
