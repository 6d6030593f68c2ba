/**
 * Stable key → partition mapping for the in-process bus (FNV-1a). Kafka uses its own murmur2
 * partitioner; all either needs is that one key always lands in one partition, so per-key order holds.
 */
export function partitionForKey(key: string | null, partitions: number, roundRobin: number): number {
  if (key === null) return roundRobin % partitions;
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    hash ^= key.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % partitions;
}
