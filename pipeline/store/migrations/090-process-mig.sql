-- The MIG GPU / compute instance of each GPU process (nvidia-smi XML `process_info`), null when the GPU
-- is not in MIG mode or the source does not say: usage binds a MIG instance's samples to the processes
-- on that instance only (pipeline/store/sample-sql.ts). One column per statement: migrate.ts skips one
-- that exists.
ALTER TABLE {{database}}.gpu_processes ADD COLUMN mig_gi_id Nullable(UInt32)
-- statement
ALTER TABLE {{database}}.gpu_processes ADD COLUMN mig_ci_id Nullable(UInt32)
