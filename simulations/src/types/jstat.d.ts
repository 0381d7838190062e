// The part of jstat (which ships no types) the sweep's statistics use.
declare module 'jstat' {
  const jStat: {
    studentt: {
      /** The quantile function of Student's t distribution with `dof` degrees of freedom. */
      inv(p: number, dof: number): number
    }
  }
  export default jStat
}
