@echo off
rem KB 813878's clean-up: unassign, then delete the policy with both of its rules.
ipseccmd -w REG -p "Block UDP 1434 Filter" -r "Block Inbound UDP 1434 Rule" -f *=0:1434:UDP -n BLOCK -x
ipseccmd -w REG -p "Block UDP 1434 Filter" -r "Block Outbound UDP 1434 Rule" -f 0=*:1434:UDP -n BLOCK
IPSeccmd.exe -w REG -p "Block UDP 1434 Filter" -y
IPSeccmd.exe -w REG -p "Block UDP 1434 Filter" -r "Block Inbound UDP 1434 Rule" -r "Block Outbound UDP 1434 Rule" -o
rem expect-error: -y: no policy named 'Block UDP 1434 Filter'
IPSeccmd.exe -w REG -p "Block UDP 1434 Filter" -y
rem expect: PASS in udp 198.51.100.7:5000 me:1434
rem expect: PASS out udp me:5000 203.0.113.9:1434
