/**
 * Marks a promise whose rejection is observed somewhere else (it is awaited
 * later, or its failure reaches the caller through another promise), so Node
 * does not report it as unhandled in the meantime. This is the one way to say
 * "handled elsewhere": a failure that nobody else sees must be logged or
 * surfaced instead, never passed here.
 */
export function markHandled(promise: PromiseLike<unknown>): void {
  Promise.resolve(promise).catch(ignore)
}

function ignore(): void {}
