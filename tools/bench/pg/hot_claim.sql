-- hot-task: every transaction claims a slot of task 1 for the next distinct worker.
SELECT nextval('worker_seq') AS n \gset
SELECT claim_slot('c' || :n, 1, 'hw' || :n) AS answer \gset
