/**
 * Which (node, timeline) pairs a check has already judged: a node becomes the primary on a
 * new timeline at each failover, and each such stint is judged once. Looked up by name,
 * then timeline, with no key string to build: the checks ask after every step.
 */
export class SeenTimelines {
  private readonly byNode = new Map<string, Set<number>>();

  /** True the first time `node` is offered on `timeline`, false ever after. */
  first(node: string, timeline: number): boolean {
    let timelines = this.byNode.get(node);
    if (!timelines) this.byNode.set(node, (timelines = new Set()));
    if (timelines.has(timeline)) return false;
    timelines.add(timeline);
    return true;
  }
}
