/** Placeholder replaced below. */
export async function crossCheckCommand(_opts: {
  peers: number
  seed: number
  messages: number
}): Promise<void> {
  throw new Error('not yet')
}
