@echo off
rem A hardening script of the XP era: close the NetBIOS and RPC ports, no ping from outside.
rem -w reg in lower case, as often written
rem expect-warning: 'reg' read as REG
ipseccmd -w reg -p "Block default ports" -r "Block TCP/135" -f *+0:135:TCP -n BLOCK
ipseccmd -w REG -p "Block default ports" -r "Block TCP/139" -f *+0:139:TCP -n BLOCK
ipseccmd -w REG -p "Block default ports" -r "Block TCP/445" -f *+0:445:TCP -n BLOCK
ipseccmd -w REG -p "Block default ports" -r "Block UDP/137" -f *+0:137:UDP -n BLOCK
ipseccmd -w REG -p "Block default ports" -r "Block UDP/138" -f *+0:138:UDP -n BLOCK
rem expect-warning: protocol 'icmp' read as ICMP
ipseccmd -w REG -p "Block default ports" -r "disable in ping" -f *=0::icmp -n BLOCK
ipseccmd -w REG -p "Block default ports" -x
rem expect: DROP in tcp 198.51.100.7:40000 me:135
rem expect: DROP in tcp 198.51.100.7:40000 me:445
rem expect: DROP in udp 198.51.100.7:137 me:137
rem expect: PASS in tcp 198.51.100.7:40000 me:3389
rem expect: DROP in icmp 198.51.100.7 me type 8 code 0
rem expect: PASS out icmp me 198.51.100.7 type 8 code 0
