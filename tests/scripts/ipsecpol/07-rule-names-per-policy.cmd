rem Two policies, one for the office and one for travel, with the same rule names.
ipsecpol -w REG -p "Office" -r "Web" -f *+0:80:TCP -n PASS
ipsecpol -w REG -p "Office" -r "Everything else" -f *+0 -n BLOCK
ipsecpol -w REG -p "Travel" -r "Web" -f *+0:443:TCP -n PASS
ipsecpol -w REG -p "Travel" -r "Everything else" -f *+0 -n BLOCK
rem re-running a line replaces that policy's rule only
ipsecpol -w REG -p "Travel" -r "Web" -f *+0:443:TCP -n PASS
ipsecpol -w REG -p "Travel" -x
rem expect: PASS in tcp 198.51.100.7:40000 me:443
rem expect: DROP in tcp 198.51.100.7:40000 me:80
