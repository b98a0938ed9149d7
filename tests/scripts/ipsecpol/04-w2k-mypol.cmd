REM This is a static policy that does survive reboots.
REM IPsec policy created in local registry only, not AD.
REM The first line clears an earlier run: unassign, then delete (fails on the first run).
rem expect-error: -p: no policy named 'MyPol'
ipsecpol -w REG -p "MyPol" -y -o
ipsecpol -w REG -p "MyPol" -r "Blocker" -n BLOCK -x -f 0+*
ipsecpol -w REG -p "MyPol" -r "GoHTTP"  -n PASS  -x -f 0:80+*::TCP
ipsecpol -w REG -p "MyPol" -r "GoHTTPS" -n PASS  -x -f 0:443+*::TCP
rem and the second run of the same script starts by deleting it all
ipsecpol -w REG -p "MyPol" -y -o
ipsecpol -w REG -p "MyPol" -r "Blocker" -n BLOCK -x -f 0+*
ipsecpol -w REG -p "MyPol" -r "GoHTTP"  -n PASS  -x -f 0:80+*::TCP
ipsecpol -w REG -p "MyPol" -r "GoHTTPS" -n PASS  -x -f 0:443+*::TCP
rem expect: PASS out tcp me:80 203.0.113.9:40000
rem expect: PASS in tcp 203.0.113.9:40000 me:443
rem expect: DROP out tcp me:40000 203.0.113.9:25
rem expect: DROP in udp 203.0.113.9:53 me:5353
