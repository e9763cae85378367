# Written by `recast auth write --basedir authdir` for local runs; it must never be committed.
# RR502: a getkrb.sh among the committed files
# RR501: it holds the password in plain text
echo 'not-a-real-password' | kinit analyst@CERN.CH
