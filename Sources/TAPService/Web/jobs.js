// Async jobs: a query run as a UWS job, with its progress (chunks done / total, from the job
// document's jobInfo) and a cancel button; and the list of the caller's jobs.

import { ServiceError } from "./tap.js";
import { button } from "./table.js";

const POLL_MS = 400;
const FINAL = new Set(["COMPLETED", "ERROR", "ABORTED", "ARCHIVED"]);

export class JobPanel {
  constructor(tap, { list, progress, bar, text, onResult, onError, onStatus }) {
    Object.assign(this, { tap, list, progress, bar, text, onResult, onError, onStatus });
    this.current = null;   // URL of the job being followed
  }

  /// Runs `query` as a job and follows it until it ends; the result goes to onResult.
  async run(query, maxrec) {
    this.progress.hidden = false;
    this.progress.dataset.phase = "PENDING";
    this.show({ phase: "PENDING" });
    const url = await this.tap.submitJob(query, { maxrec });
    this.current = url;
    this.progress.dataset.job = url;
    this.refresh();
    try {
      for (;;) {
        const job = await this.tap.job(url);
        this.show(job);
        if (FINAL.has(job.phase)) {
          this.refresh();
          if (job.phase === "COMPLETED") {
            const result = job.results[0];
            if (!result) throw new Error("the job completed without a result");
            this.onResult(await this.tap.jobResult(result), query);
          } else if (job.phase === "ERROR") {
            this.onError(new ServiceError(job.error || "the job failed", 400));
          } else {
            this.onStatus(`job ${job.id} ${job.phase.toLowerCase()}`);
          }
          return job;
        }
        await new Promise(resolve => setTimeout(resolve, POLL_MS));
      }
    } finally {
      this.current = null;
    }
  }

  show(job) {
    this.progress.dataset.phase = job.phase;
    const known = job.chunksTotal !== null && job.chunksTotal !== undefined;
    if (known) {
      this.bar.max = Math.max(1, job.chunksTotal);
      this.bar.value = job.chunksDone;
      this.progress.dataset.chunksDone = String(job.chunksDone);
      this.progress.dataset.chunksTotal = String(job.chunksTotal);
    } else {
      this.bar.removeAttribute("value");   // indeterminate
    }
    this.text.textContent = `job ${job.id || ""} ${job.phase}` + (known ? `: chunks ${job.chunksDone} / ${job.chunksTotal}` : "");
  }

  /// Asks the service to abort the job being followed.
  async cancel() {
    if (!this.current) return;
    try { await this.tap.abort(this.current); } catch (e) { this.onError(e); }
  }

  /// Redraws the list of the caller's jobs.
  async refresh() {
    let jobs;
    try { jobs = await this.tap.jobs(); } catch (e) {
      this.list.replaceChildren(row([e.status === 404 ? "this service runs no async jobs" : "jobs: " + e.message]));
      return;
    }
    if (!jobs.length) { this.list.replaceChildren(row(["no jobs"])); return; }
    this.list.replaceChildren(...jobs.slice(0, 50).map(j => {
      const tr = row([j.id, j.phase, j.created.replace("T", " ").replace(/\.\d+Z$/, "Z"), j.runId]);
      tr.dataset.job = j.id;
      const actions = document.createElement("td");
      if (j.phase === "COMPLETED") actions.append(button("show", async () => {
        try {
          const job = await this.tap.job(j.href);
          if (job.results[0]) this.onResult(await this.tap.jobResult(job.results[0]), null);
        } catch (e) { this.onError(e); }
      }));
      if (!FINAL.has(j.phase)) actions.append(button("abort", async () => {
        try { await this.tap.abort(j.href); } catch (e) { this.onError(e); }
        this.refresh();
      }));
      actions.append(button("delete", async () => {
        try { await this.tap.remove(j.href); } catch (e) { this.onError(e); }
        this.refresh();
      }));
      tr.append(actions);
      return tr;
    }));
  }
}

function row(cells) {
  const tr = document.createElement("tr");
  for (const c of cells) { const td = document.createElement("td"); td.textContent = c ?? ""; tr.append(td); }
  return tr;
}
