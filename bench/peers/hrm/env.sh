# Copied from /work/shared/peers/hrm/env.sh (the HRM side-by-side notes of 2026-12-02); the
# database name is now HRM_DB (default bench_hrm) and the ports can be moved with HRM_PORT,
# HRM_INTERNAL_PORT and FAKE_AWS_PORT. Sourced by bench/peers/hrm_up.sh and hrm_side_by_side.py.
export HRM_DB=${HRM_DB:-bench_hrm} HRM_PORT=${HRM_PORT:-8094} HRM_INTERNAL_PORT=${HRM_INTERNAL_PORT:-8095}
export FAKE_AWS_PORT=${FAKE_AWS_PORT:-4566}
export ACCOUNT_SID=ACd8a2e89748318adf6ddff7df6948deaf
export NODE_ENV=local AWS_REGION=us-east-1 AWS_ACCESS_KEY_ID=mock-access-key AWS_SECRET_ACCESS_KEY=mock-secret-key
export SSM_ENDPOINT=http://127.0.0.1:$FAKE_AWS_PORT SNS_ENDPOINT=http://127.0.0.1:$FAKE_AWS_PORT SQS_ENDPOINT=http://127.0.0.1:$FAKE_AWS_PORT
export RDS_USERNAME=hrm RDS_PASSWORD=postgres RDS_HOSTNAME=127.0.0.1 RDS_DBNAME=$HRM_DB POSTGRES_PORT=5432
export AUTH_TOKEN_LOCAL_OVERRIDE="{\"$ACCOUNT_SID\":\"local-auth-token\"}"
export PERMISSIONS_CONFIG_LOCAL_OVERRIDE="{\"$ACCOUNT_SID\":\"za\"}"
export STUB_TWILIO_TOKEN=local-flex-token-0123456789
export PORT=$HRM_PORT INTERNAL_SERVICES_PORT=$HRM_INTERNAL_PORT
export FAKE_SSM_PARAMS='{"/local/us-east-1/hrm/contact/notifications-sns-topic-arn":"arn:aws:sns:us-east-1:000000000000:hrm-contact-notifications.fifo","/local/us-east-1/hrm/profile/notifications-sns-topic-arn":"arn:aws:sns:us-east-1:000000000000:hrm-profile-notifications.fifo"}'
