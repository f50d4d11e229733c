#!/usr/bin/env bash
# sheetbot as a Cloud Run job started once a day by Cloud Scheduler.
#
# Read it, set the four variables, then run it step by step (it is idempotent only in
# the sense that "already exists" errors are harmless). Needs gcloud, logged in as someone
# who may create service accounts, secrets, Cloud Run jobs and Scheduler jobs in PROJECT.
#
# No key file: the job runs as the service account sheetbot@PROJECT.iam.gserviceaccount.com
# and gets its tokens from Application Default Credentials (Cloud Run's metadata server).
# The configuration is a Secret Manager secret mounted read-only at /config/sheetbot.toml
# (Cloud Run has no config maps; the file holds the roster, so it is not public anyway).
set -euo pipefail

PROJECT=my-coc-project            # the Google Cloud project
REGION=europe-west1               # Cloud Run and Scheduler region
TIME_ZONE=Europe/London           # when "06:17" is
IMAGE=$REGION-docker.pkg.dev/$PROJECT/sheetbot/sheetbot:0.1.0

SA=sheetbot@$PROJECT.iam.gserviceaccount.com                 # the bot (shares the sheet)
INVOKER=sheetbot-scheduler@$PROJECT.iam.gserviceaccount.com  # may only start the job

gcloud config set project "$PROJECT"
gcloud services enable run.googleapis.com cloudscheduler.googleapis.com \
    secretmanager.googleapis.com artifactregistry.googleapis.com \
    sheets.googleapis.com drive.googleapis.com

# 1. The image, in this project's Artifact Registry (from a checkout of sheetbot).
gcloud artifacts repositories create sheetbot --repository-format=docker --location="$REGION"
gcloud auth configure-docker "$REGION-docker.pkg.dev"
docker build -t "$IMAGE" . && docker push "$IMAGE"

# 2. The bot's identity. Then share the spreadsheet with $SA as Editor (deploy/README.md).
gcloud iam service-accounts create sheetbot --display-name="sheetbot (CoC incident records)"

# 3. The configuration (and, optionally, the dead man's switch URL) as secrets.
gcloud secrets create sheetbot-config --data-file=sheetbot.toml
gcloud secrets add-iam-policy-binding sheetbot-config \
    --member="serviceAccount:$SA" --role=roles/secretmanager.secretAccessor
printf '%s' 'https://hc-ping.com/<uuid>' | gcloud secrets create sheetbot-ping-url --data-file=-
gcloud secrets add-iam-policy-binding sheetbot-ping-url \
    --member="serviceAccount:$SA" --role=roles/secretmanager.secretAccessor
# Later changes: gcloud secrets versions add sheetbot-config --data-file=sheetbot.toml

# 4. The job: one task, no retry (tomorrow's run is the retry), 15 minutes at most.
gcloud run jobs create sheetbot --region="$REGION" --image="$IMAGE" \
    --service-account="$SA" \
    --set-secrets=/config/sheetbot.toml=sheetbot-config:latest,SHEETBOT_PING_URL=sheetbot-ping-url:latest \
    --set-env-vars=SHEETBOT_CONFIG=/config/sheetbot.toml,SHEETBOT_LOG_FORMAT=json \
    --tasks=1 --parallelism=1 --max-retries=0 --task-timeout=15m \
    --memory=512Mi --cpu=1 \
    --args=run
# Try it (a dry run first):
gcloud run jobs execute sheetbot --region="$REGION" --args=run,--dry-run --wait

# 5. The schedule: Scheduler calls the job's :run method as $INVOKER.
gcloud iam service-accounts create sheetbot-scheduler --display-name="starts sheetbot"
gcloud run jobs add-iam-policy-binding sheetbot --region="$REGION" \
    --member="serviceAccount:$INVOKER" --role=roles/run.invoker
gcloud scheduler jobs create http sheetbot-daily --location="$REGION" \
    --schedule="17 6 * * *" --time-zone="$TIME_ZONE" \
    --uri="https://$REGION-run.googleapis.com/apis/run.googleapis.com/v1/namespaces/$PROJECT/jobs/sheetbot:run" \
    --http-method=POST \
    --oauth-service-account-email="$INVOKER"
