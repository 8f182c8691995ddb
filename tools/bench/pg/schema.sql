-- The PostgreSQL peer: microjobs' commands as SQL functions with the same semantics (escrow
-- checked at posting, no oversell, one claim per worker per task, a double-entry ledger row per
-- transfer, an idempotency-key table that answers a repeat with the first answer). Each command is
-- one function call = one transaction, committed with PostgreSQL's default durability.
--
-- Shared accounts (platform:fees, clearing:payouts, world:deposits) have no balance row: their
-- balance is the sum of their ledger rows. A balance row for platform:fees would be updated by
-- every approval of every employer and would serialize them all; microjobs keeps shared accounts
-- per partition, so this is the fair peer.
CREATE TABLE users (user_id text PRIMARY KEY, country text NOT NULL);
CREATE TABLE accounts (
  user_id text PRIMARY KEY,
  available bigint NOT NULL DEFAULT 0 CHECK (available >= 0),
  escrow bigint NOT NULL DEFAULT 0 CHECK (escrow >= 0));
CREATE TABLE tasks (
  task_id bigserial PRIMARY KEY,
  employer_id text NOT NULL REFERENCES users,
  title text NOT NULL,
  reward bigint NOT NULL,
  fee bigint NOT NULL,
  slots bigint NOT NULL,
  claimed bigint NOT NULL DEFAULT 0,
  submitted bigint NOT NULL DEFAULT 0,
  approved bigint NOT NULL DEFAULT 0,
  status text NOT NULL DEFAULT 'open',
  posted_at timestamptz NOT NULL DEFAULT now(),
  CHECK (claimed + submitted + approved <= slots));
CREATE TABLE claims (
  claim_id bigserial PRIMARY KEY,
  task_id bigint NOT NULL REFERENCES tasks,
  worker_id text NOT NULL,
  status text NOT NULL,
  proof text,
  expires_at timestamptz NOT NULL,
  UNIQUE (task_id, worker_id));
CREATE TABLE ledger (
  entry_id bigserial PRIMARY KEY,
  debit text NOT NULL,
  credit text NOT NULL,
  amount bigint NOT NULL CHECK (amount > 0),
  claim_id bigint,
  at timestamptz NOT NULL DEFAULT now());
CREATE TABLE idempotency (
  key text PRIMARY KEY,
  answer text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now());

CREATE FUNCTION register_user(p_user text, p_country text) RETURNS void LANGUAGE sql AS $$
  INSERT INTO users VALUES (p_user, p_country) ON CONFLICT (user_id) DO UPDATE SET country = p_country;
  INSERT INTO accounts (user_id) VALUES (p_user) ON CONFLICT DO NOTHING;
$$;

CREATE FUNCTION deposit(p_account text, p_amount bigint) RETURNS void LANGUAGE sql AS $$
  UPDATE accounts SET available = available + p_amount WHERE user_id = p_account;
  INSERT INTO ledger (debit, credit, amount) VALUES ('world:deposits', 'user:' || p_account || ':available', p_amount);
$$;

-- Moves reward + fee per slot from available to escrow; fails (insufficient funds) via the CHECK.
CREATE FUNCTION post_task(p_employer text, p_title text, p_reward bigint, p_slots bigint) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE v_fee bigint := greatest(p_reward / 5, 10000); v_id bigint;
BEGIN
  UPDATE accounts SET available = available - (p_reward + v_fee) * p_slots,
                      escrow = escrow + (p_reward + v_fee) * p_slots WHERE user_id = p_employer;
  INSERT INTO tasks (employer_id, title, reward, fee, slots) VALUES (p_employer, p_title, p_reward, v_fee, p_slots)
    RETURNING task_id INTO v_id;
  INSERT INTO ledger (debit, credit, amount) VALUES
    ('user:' || p_employer || ':available', 'user:' || p_employer || ':escrow', (p_reward + v_fee) * p_slots);
  RETURN v_id;
END $$;

-- Returns the claim id as text, or the rejection code. A repeated key returns the first answer.
CREATE FUNCTION claim_slot(p_key text, p_task bigint, p_worker text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE v_answer text; v_task tasks%ROWTYPE; v_claim bigint;
BEGIN
  SELECT answer INTO v_answer FROM idempotency WHERE key = p_key;
  IF FOUND THEN RETURN v_answer; END IF;
  PERFORM 1 FROM users WHERE user_id = p_worker;           -- the worker's profile (targeting)
  IF NOT FOUND THEN RETURN 'user_not_found'; END IF;
  SELECT * INTO v_task FROM tasks WHERE task_id = p_task FOR UPDATE;  -- one writer per task
  IF NOT FOUND THEN RETURN 'task_not_found'; END IF;
  IF v_task.status <> 'open' THEN RETURN 'task_not_open'; END IF;
  IF v_task.claimed + v_task.submitted + v_task.approved >= v_task.slots THEN RETURN 'no_free_slot'; END IF;
  PERFORM 1 FROM claims WHERE task_id = p_task AND worker_id = p_worker;
  IF FOUND THEN RETURN 'already_claimed'; END IF;
  INSERT INTO claims (task_id, worker_id, status, expires_at)
    VALUES (p_task, p_worker, 'claimed', now() + interval '1 hour') RETURNING claim_id INTO v_claim;
  UPDATE tasks SET claimed = claimed + 1 WHERE task_id = p_task;
  INSERT INTO idempotency (key, answer) VALUES (p_key, v_claim::text);
  RETURN v_claim::text;
END $$;

CREATE FUNCTION submit_proof(p_key text, p_claim bigint, p_worker text, p_proof text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE v_answer text; v_claim claims%ROWTYPE;
BEGIN
  SELECT answer INTO v_answer FROM idempotency WHERE key = p_key;
  IF FOUND THEN RETURN v_answer; END IF;
  SELECT * INTO v_claim FROM claims WHERE claim_id = p_claim FOR UPDATE;
  IF NOT FOUND THEN RETURN 'claim_not_found'; END IF;
  IF v_claim.worker_id <> p_worker THEN RETURN 'forbidden'; END IF;
  IF v_claim.status <> 'claimed' THEN RETURN 'wrong_state'; END IF;
  UPDATE claims SET status = 'submitted', proof = p_proof WHERE claim_id = p_claim;
  UPDATE tasks SET claimed = claimed - 1, submitted = submitted + 1 WHERE task_id = v_claim.task_id;
  INSERT INTO idempotency (key, answer) VALUES (p_key, 'submitted');
  RETURN 'submitted';
END $$;

-- Pays the worker from the task's escrow and moves the fee to the platform: three ledger rows.
CREATE FUNCTION approve_submission(p_key text, p_claim bigint, p_employer text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE v_answer text; v_claim claims%ROWTYPE; v_task tasks%ROWTYPE;
BEGIN
  SELECT answer INTO v_answer FROM idempotency WHERE key = p_key;
  IF FOUND THEN RETURN v_answer; END IF;
  SELECT * INTO v_claim FROM claims WHERE claim_id = p_claim FOR UPDATE;
  IF NOT FOUND THEN RETURN 'claim_not_found'; END IF;
  SELECT * INTO v_task FROM tasks WHERE task_id = v_claim.task_id FOR UPDATE;
  IF v_task.employer_id <> p_employer THEN RETURN 'forbidden'; END IF;
  IF v_claim.status <> 'submitted' THEN RETURN 'wrong_state'; END IF;
  UPDATE claims SET status = 'approved' WHERE claim_id = p_claim;
  UPDATE tasks SET submitted = submitted - 1, approved = approved + 1 WHERE task_id = v_task.task_id;
  UPDATE accounts SET escrow = escrow - (v_task.reward + v_task.fee) WHERE user_id = p_employer;
  UPDATE accounts SET available = available + v_task.reward WHERE user_id = v_claim.worker_id;
  INSERT INTO ledger (debit, credit, amount, claim_id) VALUES
    ('user:' || p_employer || ':escrow', 'clearing:payouts', v_task.reward, p_claim),
    ('user:' || p_employer || ':escrow', 'platform:fees', v_task.fee, p_claim),
    ('clearing:payouts', 'user:' || v_claim.worker_id || ':available', v_task.reward, p_claim);
  INSERT INTO idempotency (key, answer) VALUES (p_key, 'approved');
  RETURN 'approved';
END $$;

CREATE SEQUENCE cycle_seq START 0 MINVALUE 0;
CREATE SEQUENCE worker_seq START 0 MINVALUE 0;
