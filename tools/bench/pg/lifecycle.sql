-- lifecycle: claim -> submit -> approve, three commands (three transactions) per script run.
-- Cycle n is worker n % W on task ((n % W) + n / W) % T + 1, as in `microjobs loadgen lifecycle`.
SELECT n, 'lw' || (n % :workers) AS worker, t.task_id AS task, t.employer_id AS employer
  FROM (SELECT nextval('cycle_seq') AS n) s
  JOIN tasks t ON t.task_id = ((n % :workers) + n / :workers) % :tasks + 1 \gset
SELECT claim_slot('c' || :n, :task, :worker) AS claim \gset
SELECT submit_proof('s' || :n, :claim::bigint, :worker, 'done: https://example.com/proof');
SELECT approve_submission('a' || :n, :claim::bigint, :employer);
