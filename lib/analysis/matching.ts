/**
 * Exact maximum-weight matching in a general graph: Edmonds' blossom method with the primal-dual
 * updates as in Galil, "Efficient Algorithms for Finding Maximum Matching in Graphs" (ACM Computing
 * Surveys, 1986), O(n³). The structure (endpoints 2k / 2k+1 of edge k, doubled vertex duals so
 * integer weights stay integer, least-slack edges per vertex and per S-blossom) follows Joris van
 * Rantwijk's well-known reference formulation of Galil's algorithm.
 *
 * A5 uses it for placement with two experts per device: a placement is then a perfect matching of
 * the experts, and for top-2 routing C_T = (Σ load − Σ_{matched i,j} C_ij) / tokens, so the
 * placement minimizing C_T is the maximum-weight perfect matching on the co-activation graph.
 *
 * With integer weights every quantity stays integer and the result is exactly optimal; co-activation
 * counts are integers. (With fractional weights it is optimal up to floating-point rounding.)
 */

export interface WeightedEdge {
  i: number;
  j: number;
  w: number;
}

/**
 * mate[v] = the vertex v is matched to, or −1. With `maxCardinality`, only matchings of maximum
 * cardinality are considered (on a complete graph with an even number of vertices: perfect ones).
 */
export function maxWeightMatching(
  vertexCount: number,
  edges: readonly WeightedEdge[],
  maxCardinality = false,
): Int32Array {
  const n = vertexCount;
  const m = edges.length;
  const result = new Int32Array(n).fill(-1);
  if (m === 0 || n === 0) return result;
  const ei = new Int32Array(m);
  const ej = new Int32Array(m);
  const ew = new Float64Array(m);
  let maxWeight = 0;
  for (let k = 0; k < m; k++) {
    const { i, j, w } = edges[k];
    if (!(i >= 0 && j >= 0 && i < n && j < n && i !== j) || !Number.isInteger(i) || !Number.isInteger(j))
      throw new Error(`edge ${k} (${i}, ${j}) is not between two distinct vertices of [0, ${n})`);
    if (!Number.isFinite(w)) throw new Error(`edge ${k} has weight ${w}`);
    ei[k] = i;
    ej[k] = j;
    ew[k] = w;
    if (w > maxWeight) maxWeight = w;
  }
  // endpoint[p]: the vertex at endpoint p (2k and 2k+1 belong to edge k).
  const endpoint = new Int32Array(2 * m);
  for (let k = 0; k < m; k++) {
    endpoint[2 * k] = ei[k];
    endpoint[2 * k + 1] = ej[k];
  }
  // neighbend[v]: remote endpoints of v's edges.
  const neighbend: number[][] = Array.from({ length: n }, () => []);
  for (let k = 0; k < m; k++) {
    neighbend[ei[k]].push(2 * k + 1);
    neighbend[ej[k]].push(2 * k);
  }
  const N2 = 2 * n;
  // mate[v]: the remote endpoint of v's matched edge, −1 when single.
  const mate = new Int32Array(n).fill(-1);
  // label of a top-level blossom: 0 free, 1 S, 2 T (5 = S with a breadcrumb while scanning).
  const label = new Int32Array(N2);
  const labelend = new Int32Array(N2).fill(-1);
  const inblossom = new Int32Array(n);
  for (let v = 0; v < n; v++) inblossom[v] = v;
  const blossomparent = new Int32Array(N2).fill(-1);
  const blossomchilds: (number[] | null)[] = new Array(N2).fill(null);
  const blossombase = new Int32Array(N2).fill(-1);
  for (let v = 0; v < n; v++) blossombase[v] = v;
  const blossomendps: (number[] | null)[] = new Array(N2).fill(null);
  const bestedge = new Int32Array(N2).fill(-1);
  const blossombestedges: (number[] | null)[] = new Array(N2).fill(null);
  const unusedblossoms: number[] = [];
  for (let b = n; b < N2; b++) unusedblossoms.push(b);
  // dualvar[v] = 2 u(v) for vertices, z(b) for non-trivial blossoms.
  const dualvar = new Float64Array(N2);
  for (let v = 0; v < n; v++) dualvar[v] = maxWeight;
  const allowedge = new Uint8Array(m);
  let queue: number[] = [];

  const slack = (k: number) => dualvar[ei[k]] + dualvar[ej[k]] - 2 * ew[k];

  const leaves = (b: number, out: number[] = []): number[] => {
    if (b < n) out.push(b);
    else for (const t of blossomchilds[b]!) leaves(t, out);
    return out;
  };

  const assignLabel = (w: number, t: number, p: number): void => {
    const b = inblossom[w];
    label[w] = label[b] = t;
    labelend[w] = labelend[b] = p;
    bestedge[w] = bestedge[b] = -1;
    if (t === 1) {
      for (const v of leaves(b)) queue.push(v);
    } else if (t === 2) {
      // A T-blossom's base is its only vertex with an outside mate: that mate becomes S.
      const base = blossombase[b];
      assignLabel(endpoint[mate[base]], 1, mate[base] ^ 1);
    }
  };

  /** Traces back from v and w: the base of a new blossom, or −1 for an augmenting path. */
  const scanBlossom = (v0: number, w0: number): number => {
    let v = v0;
    let w = w0;
    const path: number[] = [];
    let base = -1;
    while (v !== -1 || w !== -1) {
      let b = inblossom[v];
      if (label[b] & 4) {
        base = blossombase[b];
        break;
      }
      path.push(b);
      label[b] = 5;
      if (labelend[b] === -1) v = -1;
      else {
        v = endpoint[labelend[b]];
        b = inblossom[v];
        v = endpoint[labelend[b]];
      }
      if (w !== -1) {
        const x = v;
        v = w;
        w = x;
      }
    }
    for (const b of path) label[b] = 1;
    return base;
  };

  const addBlossom = (base: number, k: number): void => {
    let v = ei[k];
    let w = ej[k];
    const bb = inblossom[base];
    let bv = inblossom[v];
    let bw = inblossom[w];
    const b = unusedblossoms.pop()!;
    blossombase[b] = base;
    blossomparent[b] = -1;
    blossomparent[bb] = b;
    const path: number[] = [];
    const endps: number[] = [];
    while (bv !== bb) {
      blossomparent[bv] = b;
      path.push(bv);
      endps.push(labelend[bv]);
      v = endpoint[labelend[bv]];
      bv = inblossom[v];
    }
    path.push(bb);
    path.reverse();
    endps.reverse();
    endps.push(2 * k);
    while (bw !== bb) {
      blossomparent[bw] = b;
      path.push(bw);
      endps.push(labelend[bw] ^ 1);
      w = endpoint[labelend[bw]];
      bw = inblossom[w];
    }
    blossomchilds[b] = path;
    blossomendps[b] = endps;
    label[b] = 1;
    labelend[b] = labelend[bb];
    dualvar[b] = 0;
    for (const x of leaves(b)) {
      // T-vertices inside the new S-blossom become S: scan them.
      if (label[inblossom[x]] === 2) queue.push(x);
      inblossom[x] = b;
    }
    // Least-slack edges from the new blossom to each neighbouring S-blossom.
    const bestedgeto = new Int32Array(N2).fill(-1);
    for (const sub of path) {
      const lists: number[][] =
        blossombestedges[sub] === null
          ? leaves(sub).map((x) => neighbend[x].map((p) => p >> 1))
          : [blossombestedges[sub]!];
      for (const list of lists) {
        for (const kk of list) {
          let j = ej[kk];
          if (inblossom[j] === b) j = ei[kk];
          const bj = inblossom[j];
          if (bj !== b && label[bj] === 1 && (bestedgeto[bj] === -1 || slack(kk) < slack(bestedgeto[bj])))
            bestedgeto[bj] = kk;
        }
      }
      blossombestedges[sub] = null;
      bestedge[sub] = -1;
    }
    const list: number[] = [];
    for (let x = 0; x < N2; x++) if (bestedgeto[x] !== -1) list.push(bestedgeto[x]);
    blossombestedges[b] = list;
    bestedge[b] = -1;
    for (const kk of list) if (bestedge[b] === -1 || slack(kk) < slack(bestedge[b])) bestedge[b] = kk;
  };

  const expandBlossom = (b: number, endstage: boolean): void => {
    const childs = blossomchilds[b]!;
    const endps = blossomendps[b]!;
    for (const s of childs) {
      blossomparent[s] = -1;
      if (s < n) inblossom[s] = s;
      else if (endstage && dualvar[s] === 0) expandBlossom(s, endstage);
      else for (const v of leaves(s)) inblossom[v] = s;
    }
    if (!endstage && label[b] === 2) {
      // Relabel the sub-blossoms of an expanding T-blossom, from the one it was entered by to the base.
      const entrychild = inblossom[endpoint[labelend[b] ^ 1]];
      let j = childs.indexOf(entrychild);
      let jstep: number;
      let endptrick: number;
      if (j & 1) {
        j -= childs.length;
        jstep = 1;
        endptrick = 0;
      } else {
        jstep = -1;
        endptrick = 1;
      }
      const at = <T>(xs: T[], i: number) => xs[i < 0 ? i + xs.length : i];
      let p = labelend[b];
      while (j !== 0) {
        label[endpoint[p ^ 1]] = 0;
        label[endpoint[at(endps, j - endptrick) ^ endptrick ^ 1]] = 0;
        assignLabel(endpoint[p ^ 1], 2, p);
        allowedge[at(endps, j - endptrick) >> 1] = 1;
        j += jstep;
        p = at(endps, j - endptrick) ^ endptrick;
        allowedge[p >> 1] = 1;
        j += jstep;
      }
      const bv = at(childs, j);
      label[endpoint[p ^ 1]] = label[bv] = 2;
      labelend[endpoint[p ^ 1]] = labelend[bv] = p;
      bestedge[bv] = -1;
      j += jstep;
      while (at(childs, j) !== entrychild) {
        const sub = at(childs, j);
        if (label[sub] === 1) {
          j += jstep;
          continue;
        }
        let reached = -1;
        for (const v of leaves(sub)) {
          if (label[v] !== 0) {
            reached = v;
            break;
          }
        }
        if (reached >= 0) {
          label[reached] = 0;
          label[endpoint[mate[blossombase[sub]]]] = 0;
          assignLabel(reached, 2, labelend[reached]);
        }
        j += jstep;
      }
    }
    label[b] = labelend[b] = -1;
    blossomchilds[b] = blossomendps[b] = null;
    blossombase[b] = -1;
    blossombestedges[b] = null;
    bestedge[b] = -1;
    unusedblossoms.push(b);
  };

  /** Swaps matched and unmatched edges along the alternating path from v to the base of blossom b. */
  const augmentBlossom = (b: number, v: number): void => {
    let t = v;
    while (blossomparent[t] !== b) t = blossomparent[t];
    if (t >= n) augmentBlossom(t, v);
    const childs = blossomchilds[b]!;
    const endps = blossomendps[b]!;
    const i = childs.indexOf(t);
    let j = i;
    let jstep: number;
    let endptrick: number;
    if (i & 1) {
      j -= childs.length;
      jstep = 1;
      endptrick = 0;
    } else {
      jstep = -1;
      endptrick = 1;
    }
    const at = <T>(xs: T[], x: number) => xs[x < 0 ? x + xs.length : x];
    while (j !== 0) {
      j += jstep;
      t = at(childs, j);
      const p = at(endps, j - endptrick) ^ endptrick;
      if (t >= n) augmentBlossom(t, endpoint[p]);
      j += jstep;
      t = at(childs, j);
      if (t >= n) augmentBlossom(t, endpoint[p ^ 1]);
      mate[endpoint[p]] = p ^ 1;
      mate[endpoint[p ^ 1]] = p;
    }
    // The new base goes first.
    blossomchilds[b] = [...childs.slice(i), ...childs.slice(0, i)];
    blossomendps[b] = [...endps.slice(i), ...endps.slice(0, i)];
    blossombase[b] = blossombase[blossomchilds[b]![0]];
  };

  const augmentMatching = (k: number): void => {
    for (const [s0, p0] of [
      [ei[k], 2 * k + 1],
      [ej[k], 2 * k],
    ]) {
      let s = s0;
      let p = p0;
      for (;;) {
        const bs = inblossom[s];
        if (bs >= n) augmentBlossom(bs, s);
        mate[s] = p;
        if (labelend[bs] === -1) break;
        const t = endpoint[labelend[bs]];
        const bt = inblossom[t];
        s = endpoint[labelend[bt]];
        const j = endpoint[labelend[bt] ^ 1];
        if (bt >= n) augmentBlossom(bt, j);
        mate[j] = labelend[bt];
        p = labelend[bt] ^ 1;
      }
    }
  };

  for (let stage = 0; stage < n; stage++) {
    label.fill(0);
    bestedge.fill(-1);
    for (let b = n; b < N2; b++) blossombestedges[b] = null;
    allowedge.fill(0);
    queue = [];
    for (let v = 0; v < n; v++) if (mate[v] === -1 && label[inblossom[v]] === 0) assignLabel(v, 1, -1);
    let augmented = false;
    for (;;) {
      while (queue.length && !augmented) {
        const v = queue.pop()!;
        for (const p of neighbend[v]) {
          const k = p >> 1;
          const w = endpoint[p];
          if (inblossom[v] === inblossom[w]) continue;
          let kslack = 0;
          if (!allowedge[k]) {
            kslack = slack(k);
            if (kslack <= 0) allowedge[k] = 1;
          }
          if (allowedge[k]) {
            if (label[inblossom[w]] === 0) assignLabel(w, 2, p ^ 1);
            else if (label[inblossom[w]] === 1) {
              const base = scanBlossom(v, w);
              if (base >= 0) addBlossom(base, k);
              else {
                augmentMatching(k);
                augmented = true;
                break;
              }
            } else if (label[w] === 0) {
              label[w] = 2;
              labelend[w] = p ^ 1;
            }
          } else if (label[inblossom[w]] === 1) {
            const b = inblossom[v];
            if (bestedge[b] === -1 || kslack < slack(bestedge[b])) bestedge[b] = k;
          } else if (label[w] === 0) {
            if (bestedge[w] === -1 || kslack < slack(bestedge[w])) bestedge[w] = k;
          }
        }
      }
      if (augmented) break;
      // No augmenting path on tight edges: move the duals by the least delta (all doubled).
      let deltatype = -1;
      let delta = 0;
      let deltaedge = -1;
      let deltablossom = -1;
      if (!maxCardinality) {
        deltatype = 1;
        delta = Infinity;
        for (let v = 0; v < n; v++) delta = Math.min(delta, dualvar[v]);
      }
      for (let v = 0; v < n; v++) {
        if (label[inblossom[v]] === 0 && bestedge[v] !== -1) {
          const d = slack(bestedge[v]);
          if (deltatype === -1 || d < delta) {
            delta = d;
            deltatype = 2;
            deltaedge = bestedge[v];
          }
        }
      }
      for (let b = 0; b < N2; b++) {
        if (blossomparent[b] === -1 && label[b] === 1 && bestedge[b] !== -1) {
          const d = slack(bestedge[b]) / 2;
          if (deltatype === -1 || d < delta) {
            delta = d;
            deltatype = 3;
            deltaedge = bestedge[b];
          }
        }
      }
      for (let b = n; b < N2; b++) {
        if (
          blossombase[b] >= 0 &&
          blossomparent[b] === -1 &&
          label[b] === 2 &&
          (deltatype === -1 || dualvar[b] < delta)
        ) {
          delta = dualvar[b];
          deltatype = 4;
          deltablossom = b;
        }
      }
      if (deltatype === -1) {
        // Maximum cardinality reached with no slack left to use: a last update keeps duals valid.
        deltatype = 1;
        let minDual = Infinity;
        for (let v = 0; v < n; v++) minDual = Math.min(minDual, dualvar[v]);
        delta = Math.max(0, minDual);
      }
      for (let v = 0; v < n; v++) {
        const l = label[inblossom[v]];
        if (l === 1) dualvar[v] -= delta;
        else if (l === 2) dualvar[v] += delta;
      }
      for (let b = n; b < N2; b++) {
        if (blossombase[b] >= 0 && blossomparent[b] === -1) {
          if (label[b] === 1) dualvar[b] += delta;
          else if (label[b] === 2) dualvar[b] -= delta;
        }
      }
      if (deltatype === 1) break;
      if (deltatype === 2) {
        allowedge[deltaedge] = 1;
        let i = ei[deltaedge];
        if (label[inblossom[i]] === 0) i = ej[deltaedge];
        queue.push(i);
      } else if (deltatype === 3) {
        allowedge[deltaedge] = 1;
        queue.push(ei[deltaedge]);
      } else expandBlossom(deltablossom, false);
    }
    if (!augmented) break;
    for (let b = n; b < N2; b++)
      if (blossomparent[b] === -1 && blossombase[b] >= 0 && label[b] === 1 && dualvar[b] === 0) expandBlossom(b, true);
  }
  for (let v = 0; v < n; v++) result[v] = mate[v] >= 0 ? endpoint[mate[v]] : -1;
  return result;
}

/**
 * Maximum-weight perfect matching of the complete graph on n (even) vertices with weights
 * W[i·n + j] (symmetric; the diagonal is ignored). Every pair is an edge, so the maximum-cardinality
 * matchings are the perfect ones, and the search above returns the heaviest of them.
 */
export function maxWeightPerfectMatching(W: ArrayLike<number>, n: number): Int32Array {
  if (n % 2 !== 0) throw new Error(`a perfect matching needs an even number of vertices, not ${n}`);
  const edges: WeightedEdge[] = [];
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) edges.push({ i, j, w: W[i * n + j] });
  const mate = maxWeightMatching(n, edges, true);
  for (let v = 0; v < n; v++) if (mate[v] < 0) throw new Error(`matching bug: vertex ${v} left unmatched`);
  return mate;
}
