/**
 * Runs a test's cleanups last-registered first. A cleanup that fails does
 * not stop the others: its failure is printed (it usually means a peer or a
 * process was already gone, which must not hide the test's own result, but
 * must not pass unseen either).
 */
export async function runCleanups(cleanups: Array<() => unknown>): Promise<void> {
  for (const cleanup of cleanups.splice(0).reverse()) {
    try {
      await cleanup()
    } catch (error) {
      console.error('a test cleanup failed:', error)
    }
  }
}

/** Stops every peer at once; a peer that fails to stop is printed, the others still stop. */
export async function stopAll(peers: Array<{ stop(): Promise<void> }>): Promise<void> {
  const results = await Promise.allSettled(peers.splice(0).map((peer) => peer.stop()))
  for (const r of results) if (r.status === 'rejected') console.error('a peer failed to stop:', r.reason)
}
