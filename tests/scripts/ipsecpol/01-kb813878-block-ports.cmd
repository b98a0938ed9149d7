@echo off
rem KB 813878 "How to block specific network protocols and ports by using IPSec":
rem the Slammer (UDP 1434) policy, inbound and outbound, then TCP 80 added to it.
ipsecpol -w REG -p "Block UDP 1434 Filter" -r "Block Inbound UDP 1434 Rule" -f *=0:1434:UDP -n BLOCK -x
ipsecpol -w REG -p "Block UDP 1434 Filter" -r "Block Outbound UDP 1434 Rule" -f 0=*:1434:UDP -n BLOCK
IPSeccmd.exe -p "Block UDP 1434 Filter" -w REG -r "Block Inbound TCP 80 Rule" -f *=0:80:TCP -n BLOCK
rem the dynamic form needs the policy agent, which this test does not run
rem expect-error: no policy agent is running
IPSeccmd.exe -f [*=0:1434:UDP]
rem expect: DROP in udp 198.51.100.7:5000 me:1434
rem expect: DROP out udp me:5000 203.0.113.9:1434
rem expect: PASS in udp 198.51.100.7:5000 me:1433
rem expect: DROP in tcp 198.51.100.7:40000 me:80
rem expect: PASS out tcp me:40000 203.0.113.9:80
